package dev.distillery.student.tflite;

import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.io.AtomicFiles;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.TensorShape;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.runtime.IntegerRuntime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes an {@link IntegerModel} as a full-integer TFLite model following TFLite's 8-bit quantization spec: a uint8
 * input with the model's own input scale and zero point, QUANTIZE to int8, then CONV_2D / DEPTHWISE_CONV_2D /
 * FULLY_CONNECTED with symmetric per-channel int8 weights (int4 codes in int8 tensors), int32 biases and a fused
 * ReLU, MAX_POOL_2D and RESHAPE in NHWC, and a final QUANTIZE to a uint8 output.
 *
 * <p>Activation codes carry over unchanged: Distillery's unsigned code {@code u} with zero point {@code z} is the
 * int8 code {@code u - 128} with zero point {@code z - 128}, the same real value, so each int32 accumulator is the
 * integer runtime's. The final layer, whose logits the integer runtime keeps in float, gets an int8 output
 * quantization chosen from the logits it produces on calibration rows ({@link #outputQuantization}).
 */
public final class TfliteExporter {
    /**
     * How far the output range reaches beyond the calibration logits on each side, as a fraction of their span:
     * test images produce somewhat larger logits than any calibration row, and a saturated top logit can tie with
     * another, so a little resolution is traded for headroom. On the Fashion-MNIST test students, the 10,000 test
     * images reached at most 7.5% of the span beyond the range of 500 calibration rows (3% beyond 2,000 rows).
     */
    public static final double OUTPUT_RANGE_MARGIN = 0.1;
    /** XNNPACK's bounds on a requantization scale (input scale x weight scale / output scale). */
    static final double MIN_REQUANT_SCALE = 0x1p-32;
    static final double MAX_REQUANT_SCALE = 256;

    private TfliteExporter() {
    }

    /**
     * Writes {@code model} to {@code file} through a temporary sibling and an atomic rename, after checking every
     * layer, with the output quantization chosen from the integer runtime's logits on {@code calibration} rows
     * (channel-major floats, as the integer runtime takes them).
     */
    public static TfliteIo export(IntegerModel model, float[][] calibration, Path file) {
        return export(model, outputQuantization(model, calibration), file);
    }

    /** As {@link #export(IntegerModel, float[][], Path)} with an output quantization chosen beforehand. */
    public static TfliteIo export(IntegerModel model, TensorQuantization output, Path file) {
        TfliteModel built = build(model, output);
        AtomicFiles.write(file, built.bytes());
        return built.io();
    }

    public static TfliteModel build(IntegerModel model, float[][] calibration) {
        return build(model, outputQuantization(model, calibration));
    }

    /** The model file in memory; throws {@link InvalidConfigException} naming the first layer TFLite cannot express. */
    public static TfliteModel build(IntegerModel model, TensorQuantization output) {
        check(model);
        Architecture arch = model.architecture();
        TensorQuantization input = new TensorQuantization((float) model.inputScale(), model.inputZeroPoint());
        boolean outputRelu = reluAfterFinal(model);
        TfliteIo io = new TfliteIo(input, output, List.of(1, arch.height(), arch.width(), arch.channels()),
                List.of(1, arch.numClasses()), outputRelu);
        TfliteGraph graph = new TfliteGraph();
        int in = graph.activation("input", new int[]{1, arch.height(), arch.width(), arch.channels()},
                TfliteSchema.UINT8, TfliteGraph.Quant.perTensor(input.scale(), input.zeroPoint()));
        int last = new TfliteLayers(model, graph, output).emit(in);
        int out = graph.activation("output", new int[]{1, arch.numClasses()}, TfliteSchema.UINT8,
                TfliteGraph.Quant.perTensor(output.scale(), output.zeroPoint()));
        graph.op(TfliteSchema.OP_QUANTIZE, new int[]{last}, new int[]{out}, TfliteSchema.OPTIONS_QUANTIZE,
                TfliteTables::quantizeOptions);
        byte[] bytes = graph.toBytes(description(model, io), arch.name(), in, "input", out, "output");
        return new TfliteModel(bytes, io);
    }

    /**
     * The uint8 output quantization for {@code model}: the range of the integer runtime's logits on
     * {@code calibration} rows, widened to contain 0 and then by {@link #OUTPUT_RANGE_MARGIN} of its span on each
     * side that extends beyond 0, spread over the 256 codes.
     */
    public static TensorQuantization outputQuantization(IntegerModel model, float[][] calibration) {
        check(model);
        if (calibration.length == 0) {
            throw new InvalidConfigException("TFLite export of " + model.architecture().name()
                    + " needs calibration rows to choose the output quantization, got none");
        }
        float[][] logits = new IntegerRuntime(model).logits(calibration);
        double lo = 0;
        double hi = 0;
        for (float[] row : logits) {
            for (float v : row) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        double span = hi - lo;
        if (span == 0) {
            // All calibration logits are 0 (a dead model): any positive scale represents them exactly.
            return new TensorQuantization(1f / 255, lo < 0 ? 255 : 0);
        }
        lo = lo < 0 ? lo - OUTPUT_RANGE_MARGIN * span : 0;
        hi = hi > 0 ? hi + OUTPUT_RANGE_MARGIN * span : 0;
        float scale = (float) ((hi - lo) / 255);
        int zeroPoint = (int) Math.max(0, Math.min(255, Math.round(-lo / scale)));
        return new TensorQuantization(scale, zeroPoint);
    }

    /** Rejects, naming the layer, what a full-integer TFLite model cannot express, before anything is built. */
    static void check(IntegerModel model) {
        Architecture arch = model.architecture();
        if (model.activationBits() != 8) {
            throw new InvalidConfigException("integer model " + arch.name() + " has " + model.activationBits()
                    + "-bit activations; the TFLite export writes int8 activations and needs activation_bits 8");
        }
        List<LayerInfo> infos = arch.layerInfos();
        int finalIndex = model.layers().get(model.layers().size() - 1).index();
        double scale = model.inputScale();
        for (LayerInfo info : infos) {
            LayerSpec spec = info.spec();
            if (info.index() > finalIndex && !(spec instanceof LayerSpec.Relu || spec instanceof LayerSpec.Flatten)) {
                throw new InvalidConfigException(describe(info) + " follows the final weighted layer " + finalIndex
                        + "; the TFLite export allows only relu or flatten there");
            }
            if (!(spec instanceof LayerSpec.Conv2d || spec instanceof LayerSpec.DepthwiseConv2d
                    || spec instanceof LayerSpec.Dense || spec instanceof LayerSpec.MaxPool
                    || spec instanceof LayerSpec.Relu || spec instanceof LayerSpec.Flatten)) {
                throw new InvalidConfigException(describe(info) + " has no TFLite counterpart in the export; "
                        + "expected conv2d, depthwise_conv2d, dense, max_pool, relu or flatten");
            }
            if (!spec.hasWeights()) {
                continue;
            }
            IntegerLayer layer = model.layer(info.index());
            if (Math.abs(layer.inputScale() - scale) > 1e-9 * scale) {
                throw new InvalidConfigException(describe(info) + " reads codes at scale " + layer.inputScale()
                        + " but the tensor before it has scale " + scale + "; TFLite derives each layer's input scale"
                        + " from that tensor, so the two must agree");
            }
            for (int c = 0; c < layer.channels(); c++) {
                float w = layer.weightScale()[c];
                if (!(w > 0) || !Float.isFinite(w)) {
                    throw new InvalidConfigException(describe(info) + " channel " + c + " has weight scale " + w
                            + "; TFLite needs positive finite scales");
                }
                if (layer.requantized()) {
                    double m = (double) (float) layer.inputScale() * w / (float) layer.outputScale();
                    if (!(m >= MIN_REQUANT_SCALE && m < MAX_REQUANT_SCALE)) {
                        throw new InvalidConfigException(describe(info) + " channel " + c + " requantizes by " + m
                                + ", outside [2^-32, 256) that int8 TFLite kernels (XNNPACK) accept");
                    }
                }
            }
            if (layer.requantized()) {
                scale = layer.outputScale();
            }
        }
    }

    /** Whether a relu follows the final weighted layer: the integer runtime applies it to the float logits. */
    static boolean reluAfterFinal(IntegerModel model) {
        int finalIndex = model.layers().get(model.layers().size() - 1).index();
        return model.architecture().layers().subList(finalIndex + 1, model.architecture().layers().size()).stream()
                .anyMatch(l -> l instanceof LayerSpec.Relu);
    }

    private static String description(IntegerModel model, TfliteIo io) {
        return "Distillery " + model.architecture().name() + ": full-integer model, int8 activations, int"
                + model.weightBits() + " weights in int8 tensors ("
                + model.metadata().getOrDefault("weight_granularity", "per_channel") + "), int32 biases; uint8 input"
                + " scale " + io.input().scale() + " zero point " + io.input().zeroPoint() + ", uint8 output scale "
                + io.output().scale() + " zero point " + io.output().zeroPoint();
    }

    static String describe(LayerInfo info) {
        return info.describe();
    }

    static byte[] int32s(int[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    static int[] nhwc(TensorShape shape) {
        return shape.flat() ? new int[]{1, shape.channels()}
                : new int[]{1, shape.height(), shape.width(), shape.channels()};
    }
}
