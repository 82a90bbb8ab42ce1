package dev.distillery.student.quant;

import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a quantization-aware model into an {@link IntegerModel} whose integer arithmetic reproduces the
 * fake-quantized graph of {@link FakeQuantHooks} up to rounding of the bias and of the fixed-point multipliers.
 *
 * <p>Each weighted layer but the last must be followed by a ReLU (max-pool and flatten may sit in between):
 * the ReLU is fused into requantization as a clamp at the output zero point, and its calibrated range gives the output
 * scale. Max-pool commutes with that monotonic requantization, so it runs on the codes.
 */
public final class IntegerConverter {
    private IntegerConverter() {
    }

    public static IntegerModel convert(ModelArtifact model) {
        Architecture arch = model.architecture();
        dev.distillery.core.model.BatchNormFolding.requireFolded(arch, "integer conversion");
        QuantSpec spec = model.quant();
        if (spec == null) {
            throw new InvalidConfigException("model " + arch.name() + " (" + model.kind()
                    + ") has no quantization spec; calibrate it and fine-tune with fake quantization before integer conversion");
        }
        List<LayerInfo> infos = arch.layerInfos();
        checkSupported(infos, spec);
        int lastWeighted = lastWeighted(infos, arch);
        checkTail(infos, lastWeighted);
        double scale = scale(spec, "input", "the network input");
        List<IntegerLayer> layers = new ArrayList<>();
        boolean[] fused = new boolean[infos.size()];
        for (LayerInfo info : infos) {
            LayerSpec layer = info.spec();
            if (layer.hasWeights()) {
                if (info.index() == lastWeighted) {
                    layers.add(quantize(model, info, spec, scale, 0, 0));
                } else {
                    int relu = followingRelu(infos, info);
                    fused[relu] = true;
                    double outScale = scale(spec, "L" + relu, "the relu (layer " + relu + ") after " + describe(info));
                    layers.add(quantize(model, info, spec, scale, outScale, spec.zeroPoint("L" + relu)));
                    scale = outScale;
                }
            } else if (layer instanceof LayerSpec.Relu && info.index() < lastWeighted && !fused[info.index()]) {
                throw new InvalidConfigException(describe(info) + " does not follow a weighted layer; integer conversion "
                        + "fuses every relu into the conv, depthwise or dense layer before it");
            }
        }
        Map<String, String> meta = new LinkedHashMap<>(model.metadata());
        meta.put("source_kind", model.kind());
        meta.put("weight_granularity", spec.perTensorWeights() ? "per_tensor" : "per_channel");
        return new IntegerModel(arch, spec.weightBits(), spec.activationBits(), scale(spec, "input", "the network input"),
                spec.zeroPoint("input"), layers, meta);
    }

    /**
     * Rejects, naming the layer, a spec the integer runtime cannot run: depthwise convolutions take
     * {@value IntegerModel#DEPTHWISE_BITS}-bit weights only.
     */
    public static void checkSupported(List<LayerInfo> infos, QuantSpec spec) {
        for (LayerInfo info : infos) {
            if (info.batchNorm()) {
                throw new dev.distillery.core.error.DataContractException(describe(info) + " is a batch norm; "
                        + "quantization applies to the folded model (BatchNormFolding.foldArchitecture)");
            }
            boolean padded = info.spec() instanceof LayerSpec.Conv2d c && c.pad() != null
                    || info.spec() instanceof LayerSpec.DepthwiseConv2d d && d.pad() != null;
            LayerSpec l = info.spec();
            if (padded || !(l instanceof LayerSpec.Conv2d || l instanceof LayerSpec.DepthwiseConv2d
                    || l instanceof LayerSpec.Dense || l instanceof LayerSpec.MaxPool || l instanceof LayerSpec.Relu
                    || l instanceof LayerSpec.Flatten)) {
                throw new dev.distillery.core.error.DataContractException(describe(info) + (padded
                        ? " pads explicitly; the integer runtime and the exports run SAME-padded convolutions only"
                        : " has no integer kernel; the integer runtime and the exports run conv2d, depthwise_conv2d, "
                        + "dense, max_pool, relu and flatten"));
            }
            if (info.spec() instanceof LayerSpec.DepthwiseConv2d && spec.weightBits(info) != IntegerModel.DEPTHWISE_BITS) {
                throw new InvalidConfigException(describe(info) + " cannot take " + spec.weightBits(info)
                        + "-bit weights: the integer runtime runs depthwise convolutions with "
                        + IntegerModel.DEPTHWISE_BITS + "-bit weights only (int4 applies to conv2d and dense layers; "
                        + "leave qat.depthwise_weight_bits at 8)");
            }
        }
    }

    private static IntegerLayer quantize(ModelArtifact model, LayerInfo info, QuantSpec spec, double inScale,
                                         double outScale, int outZeroPoint) {
        float[] w = model.params().get(info.weightName());
        float[] b = model.params().get(info.biasName());
        int bits = spec.weightBits(info);
        float[] wScale = WeightQuantizer.scales(info, w, bits, spec.perTensorWeights());
        byte[] codes = WeightQuantizer.codes(info, w, wScale, bits);
        int channels = info.outChannels();
        if (!spec.perTensorWeights()) {
            wScale = deadChannelScales(codes, wScale, inScale, outScale);
        }
        int[] bias = new int[channels];
        int[] multiplier = new int[outScale > 0 ? channels : 0];
        int[] shift = new int[multiplier.length];
        for (int c = 0; c < channels; c++) {
            double accScale = inScale * wScale[c];
            bias[c] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.round(b[c] / accScale)));
            if (outScale > 0) {
                FixedPoint fp;
                try {
                    fp = FixedPoint.of(accScale / outScale);
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigException(describe(info) + " channel " + c + ": " + e.getMessage(), e);
                }
                multiplier[c] = fp.multiplier();
                shift[c] = fp.shift();
            }
        }
        return new IntegerLayer(info.index(), bits, codes, bias, wScale, inScale, outScale, outZeroPoint, multiplier,
                shift);
    }

    /**
     * An output channel whose codes are all zero (pruned away) accumulates its bias alone, so its weight scale only
     * sets the unit of that bias. The range floor would make that unit about 1e-10 and push the bias out of int32
     * (clamped, the channel's output would be wrong) and the multiplier below what int8 kernels accept. Such a
     * channel gets the scale that makes its multiplier 1 (output scale / input scale), or, on the logits layer, the
     * layer's widest scale; its output is {@code round(bias / output scale)} as the fake-quantized graph computes.
     */
    static float[] deadChannelScales(byte[] codes, float[] scales, double inScale, double outScale) {
        int channels = scales.length;
        boolean[] live = new boolean[channels];
        for (int i = 0; i < codes.length; i++) {
            live[i % channels] |= codes[i] != 0;
        }
        float widest = 0;
        for (float s : scales) {
            widest = Math.max(widest, s);
        }
        float target = outScale > 0 ? (float) (outScale / inScale) : widest;
        float[] fixed = scales;
        for (int c = 0; c < channels; c++) {
            if (!live[c] && target > scales[c]) {
                if (fixed == scales) {
                    fixed = scales.clone();
                }
                fixed[c] = target;
            }
        }
        return fixed;
    }

    private static int lastWeighted(List<LayerInfo> infos, Architecture arch) {
        for (int i = infos.size() - 1; i >= 0; i--) {
            if (infos.get(i).spec().hasWeights()) {
                return i;
            }
        }
        throw new InvalidConfigException("architecture " + arch.name() + " has no weighted layer to convert");
    }

    /**
     * Rejects, naming the layer, a folded architecture whose layer order integer conversion cannot take, before any
     * training: every weighted layer but the last needs a relu after it (optionally after max_pool or flatten), every
     * relu before the last weighted layer must be such a fused one, and only relu or flatten may follow the last.
     */
    public static void checkStructure(Architecture arch) {
        List<LayerInfo> infos = arch.layerInfos();
        int lastWeighted = lastWeighted(infos, arch);
        checkTail(infos, lastWeighted);
        boolean[] fused = new boolean[infos.size()];
        for (LayerInfo info : infos) {
            if (info.spec().hasWeights() && info.index() < lastWeighted) {
                fused[followingRelu(infos, info)] = true;
            } else if (info.spec() instanceof LayerSpec.Relu && info.index() < lastWeighted && !fused[info.index()]) {
                throw new InvalidConfigException(describe(info) + " does not follow a weighted layer; integer "
                        + "conversion fuses every relu into the conv, depthwise or dense layer before it");
            }
        }
    }

    /** The runtime leaves integers at the final layer, so only float-friendly layers may follow it. */
    private static void checkTail(List<LayerInfo> infos, int lastWeighted) {
        for (int i = lastWeighted + 1; i < infos.size(); i++) {
            LayerSpec spec = infos.get(i).spec();
            if (!(spec instanceof LayerSpec.Relu || spec instanceof LayerSpec.Flatten)) {
                throw new InvalidConfigException(describe(infos.get(i)) + " follows the final weighted layer "
                        + lastWeighted + "; integer conversion allows only relu or flatten there");
            }
        }
    }

    private static int followingRelu(List<LayerInfo> infos, LayerInfo weighted) {
        for (int j = weighted.index() + 1; j < infos.size(); j++) {
            LayerSpec next = infos.get(j).spec();
            if (next instanceof LayerSpec.Relu) {
                return j;
            }
            if (!(next instanceof LayerSpec.MaxPool || next instanceof LayerSpec.Flatten)) {
                throw new InvalidConfigException(describe(weighted) + " is followed by " + describe(infos.get(j))
                        + " instead of a relu; integer conversion needs a relu (optionally after max_pool) after every "
                        + "weighted layer but the last, because the relu is fused into requantization");
            }
        }
        throw new InvalidConfigException(describe(weighted) + " is not followed by a relu");
    }

    private static double scale(QuantSpec spec, String point, String what) {
        if (!spec.activationMax().containsKey(point)) {
            throw new InvalidConfigException("quantization spec has no calibrated range \"" + point + "\" for " + what
                    + "; calibrated points are " + spec.activationMax().keySet());
        }
        return spec.activationScale(point);
    }

    static String describe(LayerInfo info) {
        return info.describe();
    }
}
