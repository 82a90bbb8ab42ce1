package dev.distillery.student.tflite;

import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.TensorShape;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;

import java.util.Arrays;

/**
 * Translates the layers of an integer model into TFLite operators on int8 NHWC tensors, carrying the current
 * tensor, its quantization and, after a flatten, the map shape the dense layer's inputs must be permuted from.
 */
final class TfliteLayers {
    private final IntegerModel model;
    private final TfliteGraph graph;
    private final TensorQuantization output;
    private final boolean outputRelu;
    private final int finalIndex;

    private int tensor;
    private float scale;
    private int zeroPoint;
    /** The [C, H, W] map a flatten turned into the current vector, or null: Distillery flattens channel-major. */
    private TensorShape flattenedFrom;

    TfliteLayers(IntegerModel model, TfliteGraph graph, TensorQuantization output) {
        this.model = model;
        this.graph = graph;
        this.output = output;
        this.finalIndex = model.layers().get(model.layers().size() - 1).index();
        this.outputRelu = TfliteExporter.reluAfterFinal(model);
    }

    /** Emits QUANTIZE from the uint8 {@code input} and every layer; returns the int8 logits tensor. */
    int emit(int input) {
        scale = (float) model.inputScale();
        zeroPoint = model.inputZeroPoint() - 128;
        int[] shape = {1, model.architecture().height(), model.architecture().width(), model.architecture().channels()};
        tensor = graph.activation("input_int8", shape, TfliteSchema.INT8, quant());
        graph.op(TfliteSchema.OP_QUANTIZE, new int[]{input}, new int[]{tensor}, TfliteSchema.OPTIONS_QUANTIZE,
                TfliteTables::quantizeOptions);
        for (LayerInfo info : model.architecture().layerInfos()) {
            LayerSpec spec = info.spec();
            if (spec.hasWeights()) {
                weighted(info, model.layer(info.index()));
            } else if (spec instanceof LayerSpec.MaxPool pool) {
                maxPool(info, pool.size());
            } else if (spec instanceof LayerSpec.Flatten && !info.input().flat()) {
                flatten(info);
            }
            // A relu is the clamp at the output zero point of the layer before it: fused there (see weighted).
        }
        return tensor;
    }

    private TfliteGraph.Quant quant() {
        return TfliteGraph.Quant.perTensor(scale, zeroPoint);
    }

    private void weighted(LayerInfo info, IntegerLayer layer) {
        boolean last = info.index() == finalIndex;
        byte activation = !last || outputRelu ? TfliteSchema.ACTIVATION_RELU : TfliteSchema.ACTIVATION_NONE;
        String name = "L" + info.index();
        int channels = layer.channels();
        float[] biasScale = new float[channels];
        for (int c = 0; c < channels; c++) {
            // As TFLite checks it: the product of the float32 scales stored in the input and weight tensors.
            biasScale[c] = (float) ((double) scale * layer.weightScale()[c]);
        }
        int bias = graph.constant(name + "_bias", new int[]{channels}, TfliteSchema.INT32,
                TfliteExporter.int32s(layer.bias()), new TfliteGraph.Quant(biasScale, new long[channels], 0));
        LayerSpec spec = info.spec();
        int weights;
        int builtin;
        byte optionsType;
        TfliteGraph.Options options;
        int[] w = info.weightShape();
        if (spec instanceof LayerSpec.Conv2d conv) {
            int k = conv.kernel();
            weights = graph.constant(name + "_weights", new int[]{channels, k, k, w[2]}, TfliteSchema.INT8,
                    ohwi(layer.weights(), k, w[2], channels), weightQuant(layer, 0, false));
            builtin = TfliteSchema.OP_CONV_2D;
            optionsType = TfliteSchema.OPTIONS_CONV_2D;
            options = b -> TfliteTables.conv2dOptions(b, TfliteSchema.PADDING_SAME, conv.stride(), activation);
        } else if (spec instanceof LayerSpec.DepthwiseConv2d dw) {
            int k = dw.kernel();
            // [kH, kW, C, 1] and TFLite's [1, kH, kW, C] hold the codes in the same order.
            weights = graph.constant(name + "_weights", new int[]{1, k, k, channels}, TfliteSchema.INT8,
                    layer.weights().clone(), weightQuant(layer, 3, false));
            builtin = TfliteSchema.OP_DEPTHWISE_CONV_2D;
            optionsType = TfliteSchema.OPTIONS_DEPTHWISE_CONV_2D;
            options = b -> TfliteTables.depthwiseConv2dOptions(b, TfliteSchema.PADDING_SAME, dw.stride(), 1,
                    activation);
        } else {
            int inputs = w[0];
            // Vela-class compilers keep FULLY_CONNECTED on the accelerator only with one weight scale.
            weights = graph.constant(name + "_weights", new int[]{channels, inputs}, TfliteSchema.INT8,
                    denseRows(layer.weights(), inputs, channels), weightQuant(layer, 0, true));
            builtin = TfliteSchema.OP_FULLY_CONNECTED;
            optionsType = TfliteSchema.OPTIONS_FULLY_CONNECTED;
            options = b -> TfliteTables.fullyConnectedOptions(b, activation);
        }
        if (last) {
            scale = output.scale();
            zeroPoint = output.int8ZeroPoint();
        } else {
            scale = (float) layer.outputScale();
            zeroPoint = layer.outputZeroPoint() - 128;
        }
        int out = graph.activation(name + "_" + opTag(spec), TfliteExporter.nhwc(info.output()), TfliteSchema.INT8,
                quant());
        graph.op(builtin, new int[]{tensor, weights, bias}, new int[]{out}, optionsType, options);
        tensor = out;
        flattenedFrom = null;
    }

    private static String opTag(LayerSpec spec) {
        return spec instanceof LayerSpec.Conv2d ? "conv2d" : spec instanceof LayerSpec.Dense ? "dense" : "depthwise";
    }

    /** Symmetric weight quantization along {@code dimension}; one scale when {@code collapse} and all are equal. */
    private static TfliteGraph.Quant weightQuant(IntegerLayer layer, int dimension, boolean collapse) {
        float[] s = layer.weightScale();
        boolean uniform = true;
        for (float v : s) {
            uniform &= v == s[0];
        }
        if (collapse && uniform) {
            return new TfliteGraph.Quant(new float[]{s[0]}, new long[1], 0);
        }
        return new TfliteGraph.Quant(s.clone(), new long[s.length], dimension);
    }

    /** Conv weights from Distillery's [kH, kW, I, O] to TFLite's [O, kH, kW, I]. */
    private static byte[] ohwi(byte[] codes, int k, int in, int out) {
        byte[] t = new byte[codes.length];
        for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        t[((o * k + ky) * k + kx) * in + i] = codes[((ky * k + kx) * in + i) * out + o];
                    }
                }
            }
        }
        return t;
    }

    /**
     * Dense weights from Distillery's [in, units] to TFLite's [units, in]. After a flatten of a [C, H, W] map the
     * inputs arrive in TFLite's [H, W, C] order instead of Distillery's channel-major order, so input
     * {@code (h * W + w) * C + c} of a row takes the weight of Distillery's input {@code c * H * W + h * W + w}.
     */
    private byte[] denseRows(byte[] codes, int inputs, int units) {
        int[] source = new int[inputs];
        if (flattenedFrom != null) {
            int c = flattenedFrom.channels();
            int plane = flattenedFrom.height() * flattenedFrom.width();
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < plane; p++) {
                    source[p * c + ch] = ch * plane + p;
                }
            }
        } else {
            Arrays.setAll(source, i -> i);
        }
        byte[] t = new byte[codes.length];
        for (int u = 0; u < units; u++) {
            for (int j = 0; j < inputs; j++) {
                t[u * inputs + j] = codes[source[j] * units + u];
            }
        }
        return t;
    }

    /** VALID pooling with stride equal to the window, on codes that keep their scale and zero point. */
    private void maxPool(LayerInfo info, int size) {
        int out = graph.activation("L" + info.index() + "_max_pool", TfliteExporter.nhwc(info.output()),
                TfliteSchema.INT8, quant());
        graph.op(TfliteSchema.OP_MAX_POOL_2D, new int[]{tensor}, new int[]{out}, TfliteSchema.OPTIONS_POOL_2D,
                b -> TfliteTables.pool2dOptions(b, TfliteSchema.PADDING_VALID, size, size,
                        TfliteSchema.ACTIVATION_NONE));
        tensor = out;
    }

    /** RESHAPE to [1, C*H*W] in TFLite's HWC order; the next dense layer's weights are permuted to match. */
    private void flatten(LayerInfo info) {
        int[] newShape = {1, (int) info.output().elements()};
        int shapeTensor = graph.constant("L" + info.index() + "_shape", new int[]{2}, TfliteSchema.INT32,
                TfliteExporter.int32s(newShape), null);
        int out = graph.activation("L" + info.index() + "_flatten", newShape, TfliteSchema.INT8, quant());
        graph.op(TfliteSchema.OP_RESHAPE, new int[]{tensor, shapeTensor}, new int[]{out}, TfliteSchema.OPTIONS_RESHAPE,
                b -> TfliteTables.reshapeOptions(b, TfliteTables.intVector(b, newShape)));
        tensor = out;
        flattenedFrom = info.input();
    }
}
