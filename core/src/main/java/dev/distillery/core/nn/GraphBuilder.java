package dev.distillery.core.nn;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/** Builds the SameDiff graph of an {@link Architecture}: placeholder "input" [n, C*H*W], output "logits". */
public final class GraphBuilder {
    public static final String INPUT = "input";
    public static final String LOGITS = "logits";

    private GraphBuilder() {
    }

    /** Name of the variable holding layer {@code index}'s output (the last layer's is {@link #LOGITS}). */
    public static String outputName(int index) {
        return "act" + index;
    }

    public static SameDiff build(Architecture arch, Map<String, float[]> params, GraphHooks hooks) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder(INPUT, DataType.FLOAT, -1, arch.inputSize());
        x = hooks.activation(sd, "input", x);
        if (arch.spatial()) {
            x = sd.reshape(x, -1, arch.channels(), arch.height(), arch.width());
        }
        var infos = arch.layerInfos();
        for (int i = 0; i < infos.size(); i++) {
            LayerInfo info = infos.get(i);
            boolean last = i == infos.size() - 1;
            SDVariable w = null;
            SDVariable b = null;
            if (info.spec().hasWeights()) {
                w = sd.var(info.weightName(), Nd4j.create(params.get(info.weightName()), toLong(info.weightShape()), 'c'));
                b = sd.var(info.biasName(), Nd4j.create(params.get(info.biasName()), new long[]{info.biasCount()}, 'c'));
                w = hooks.weight(sd, info, w);
                b = hooks.bias(sd, info, b, w);
            }
            x = layer(sd, last ? LOGITS : outputName(i), x, info, w, b);
            if (info.spec() instanceof LayerSpec.Relu) {
                x = hooks.activation(sd, "L" + i, x);
            }
        }
        if (!LOGITS.equals(x.name())) {
            x = sd.identity(LOGITS, x);
        }
        return sd;
    }

    /**
     * Adds layers 0 to {@code lastLayer} of {@code arch} to an existing graph as a frozen copy: fed by the graph's
     * "input" placeholder, weights and biases as constants (no gradient, no optimizer state), every name prefixed
     * with {@code prefix}. Returns the output of {@code lastLayer}; {@code params} needs only those layers' tensors.
     */
    public static SDVariable frozenPrefix(SameDiff sd, Architecture arch, Map<String, float[]> params, int lastLayer,
                                          String prefix) {
        var infos = arch.layerInfos();
        if (lastLayer < 0 || lastLayer >= infos.size()) {
            throw new IllegalArgumentException(arch.name() + " has no layer " + lastLayer);
        }
        SDVariable x = sd.getVariable(INPUT);
        if (arch.spatial()) {
            x = sd.reshape(x, -1, arch.channels(), arch.height(), arch.width());
        }
        for (int i = 0; i <= lastLayer; i++) {
            LayerInfo info = infos.get(i);
            SDVariable w = null;
            SDVariable b = null;
            if (info.spec().hasWeights()) {
                w = sd.constant(prefix + info.weightName(),
                        Nd4j.create(params.get(info.weightName()), toLong(info.weightShape()), 'c'));
                b = sd.constant(prefix + info.biasName(),
                        Nd4j.create(params.get(info.biasName()), new long[]{info.biasCount()}, 'c'));
            }
            x = layer(sd, prefix + outputName(i), x, info, w, b);
        }
        return x;
    }

    private static SDVariable layer(SameDiff sd, String name, SDVariable x, LayerInfo info, SDVariable w,
                                    SDVariable b) {
        LayerSpec spec = info.spec();
        if (spec instanceof LayerSpec.Conv2d conv) {
            return sd.cnn().conv2d(name, x, w, b, convConfig(conv.kernel(), conv.stride()));
        } else if (spec instanceof LayerSpec.DepthwiseConv2d dw) {
            return sd.cnn().depthWiseConv2d(name, x, w, b, convConfig(dw.kernel(), dw.stride()));
        } else if (spec instanceof LayerSpec.Dense) {
            return sd.nn().linear(name, x, w, b);
        } else if (spec instanceof LayerSpec.MaxPool pool) {
            return sd.cnn().maxPooling2d(name, x, Pooling2DConfig.builder()
                    .kH(pool.size()).kW(pool.size()).sH(pool.size()).sW(pool.size())
                    .paddingMode(PaddingMode.VALID).isNHWC(false).build());
        } else if (spec instanceof LayerSpec.Relu) {
            return sd.nn().relu(name, x, 0.0);
        } else if (spec instanceof LayerSpec.Flatten) {
            return sd.reshape(name, x, -1, info.output().channels());
        }
        throw new IllegalArgumentException("no graph for layer " + info.index() + " (" + spec + ")");
    }

    /** A SAME-padded NCHW convolution with weights laid out [kH, kW, in, out], as every graph here uses. */
    public static Conv2DConfig convConfig(int kernel, int stride) {
        return Conv2DConfig.builder().kH(kernel).kW(kernel).sH(stride).sW(stride)
                .paddingMode(PaddingMode.SAME).dataFormat("NCHW").build();
    }

    static long[] toLong(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            s[i] = shape[i];
        }
        return s;
    }
}
