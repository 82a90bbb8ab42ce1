package dev.distillery.student.tflite;

import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.runtime.IntegerRuntime;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The structure of exported files, read back through the flatbuffers runtime's Table API: operators and versions,
 * tensor types and shapes, per-channel quantization, weight layouts, fused activations, and what the exporter refuses.
 */
class TfliteExporterTest {
    private static IntegerModel separable;
    private static TfliteModel exported;
    private static TfliteFile file;

    @BeforeAll
    static void export() {
        separable = IntegerFixtures.untrained(TestModels.separableCnn(), 8, false);
        exported = TfliteExporter.build(separable, IntegerFixtures.calibration());
        file = new TfliteFile(exported.bytes());
    }

    @Test
    void writesSchemaVersion3WithOneSubgraphAndAUint8Boundary() {
        assertThat(file.identifier).isEqualTo("TFL3");
        assertThat(file.model.i32(TfliteTables.MODEL_VERSION, 0)).isEqualTo(3);
        assertThat(file.model.string(TfliteTables.MODEL_DESCRIPTION)).startsWith("Distillery separable-cnn: full-integer");
        assertThat(file.buffers.get(0)).as("buffer 0 is the empty sentinel").isEmpty();
        TfliteFile.Tensor in = file.tensor(file.inputs[0]);
        TfliteFile.Tensor out = file.tensor(file.outputs[0]);
        assertThat(in.type()).isEqualTo(TfliteSchema.UINT8);
        assertThat(in.shape()).containsExactly(1, 28, 28, 1);
        assertThat(in.quant().scale()).containsExactly((float) separable.inputScale());
        assertThat(in.quant().zeroPoint()).containsExactly(separable.inputZeroPoint());
        assertThat(out.type()).isEqualTo(TfliteSchema.UINT8);
        assertThat(out.shape()).containsExactly(1, 10);
        assertThat(out.quant().scale()).containsExactly(exported.io().output().scale());
        assertThat(out.quant().zeroPoint()).containsExactly(exported.io().output().zeroPoint());
    }

    @Test
    void declaresTheOperatorsInLayerOrderWithTheirInt8Versions() {
        List<String> ops = file.ops.stream().map(o -> TfliteSchema.opName(file.opcode(o).builtin())).toList();
        assertThat(ops).containsExactly("QUANTIZE", "CONV_2D", "MAX_POOL_2D", "DEPTHWISE_CONV_2D", "CONV_2D",
                "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "FULLY_CONNECTED", "QUANTIZE");
        for (TfliteFile.OpCode code : file.opcodes) {
            int expected = switch (code.builtin()) {
                case 3, 4 -> 3;   // CONV_2D, DEPTHWISE_CONV_2D: int8 with per-channel weights
                case 9 -> 4;      // FULLY_CONNECTED: int8
                case 17 -> 2;     // MAX_POOL_2D: int8
                default -> 1;     // RESHAPE, QUANTIZE
            };
            assertThat(code.version()).as(TfliteSchema.opName(code.builtin())).isEqualTo(expected);
            assertThat(code.deprecatedBuiltin()).isEqualTo(code.builtin());
        }
        assertThat(file.opcodes).hasSize(6);
    }

    @Test
    void storesWeightsPerChannelOnTheOutputChannelAxisAndBiasesAtInputTimesWeightScale() {
        List<LayerInfo> weighted = separable.architecture().layerInfos().stream()
                .filter(i -> i.spec().hasWeights()).toList();
        List<TfliteFile.Op> ops = file.ops.stream().filter(o -> o.inputs().length == 3).toList();
        assertThat(ops).hasSameSizeAs(weighted);
        int[][] shapes = {{8, 3, 3, 1}, {1, 3, 3, 8}, {16, 1, 1, 8}, {32, 144}, {10, 32}};
        int[] axes = {0, 3, 0, 0, 0};
        for (int k = 0; k < ops.size(); k++) {
            IntegerLayer layer = separable.layer(weighted.get(k).index());
            TfliteFile.Tensor input = file.tensor(ops.get(k).inputs()[0]);
            TfliteFile.Tensor weights = file.tensor(ops.get(k).inputs()[1]);
            TfliteFile.Tensor bias = file.tensor(ops.get(k).inputs()[2]);
            TfliteFile.Tensor output = file.tensor(ops.get(k).outputs()[0]);
            assertThat(input.type()).isEqualTo(TfliteSchema.INT8);
            assertThat(output.type()).isEqualTo(TfliteSchema.INT8);
            assertThat(weights.type()).isEqualTo(TfliteSchema.INT8);
            assertThat(weights.shape()).containsExactly(shapes[k]);
            assertThat(weights.quant().dimension()).isEqualTo(axes[k]);
            assertThat(weights.quant().scale()).containsExactly(layer.weightScale());
            assertThat(weights.quant().zeroPoint()).hasSize(layer.channels()).containsOnly(0L);
            assertThat(file.buffers.get(weights.buffer())).hasSize(layer.weights().length);
            assertThat(bias.type()).isEqualTo(TfliteSchema.INT32);
            assertThat(bias.quant().zeroPoint()).hasSize(layer.channels()).containsOnly(0L);
            float inScale = input.quant().scale()[0];
            assertThat(inScale).isEqualTo((float) layer.inputScale());
            for (int c = 0; c < layer.channels(); c++) {
                assertThat(bias.quant().scale()[c]).isCloseTo(inScale * weights.quant().scale()[c],
                        within(1e-6f * inScale * weights.quant().scale()[c]));
            }
            assertThat(file.bufferStarts.get(weights.buffer()) % 16).as("weights are 16-byte aligned").isZero();
            assertThat(file.bufferStarts.get(bias.buffer()) % 16).as("biases are 16-byte aligned").isZero();
            if (layer.requantized()) {
                assertThat(output.quant().scale()).containsExactly((float) layer.outputScale());
                assertThat(output.quant().zeroPoint()).containsExactly(layer.outputZeroPoint() - 128L);
            } else {
                assertThat(output.quant().zeroPoint()).containsExactly(exported.io().output().int8ZeroPoint());
            }
        }
    }

    @Test
    void fusesReluIntoEveryRequantizedLayerAndUsesSamePaddingAndTheLayerStrides() {
        List<TfliteFile.Op> ops = file.ops;
        // conv 3x3/1, max_pool 2, depthwise 3x3/2, conv 1x1, max_pool 2, reshape, dense 32, dense 10
        assertThat(ops.get(1).optionsType()).isEqualTo(TfliteSchema.OPTIONS_CONV_2D);
        TfliteFile.Node conv = ops.get(1).options();
        assertThat(conv.i8(TfliteTables.CONV_PADDING, 0)).isEqualTo(TfliteSchema.PADDING_SAME);
        assertThat(conv.i32(TfliteTables.CONV_STRIDE_W, 0)).isEqualTo(1);
        assertThat(conv.i8(TfliteTables.CONV_ACTIVATION, 0)).isEqualTo(TfliteSchema.ACTIVATION_RELU);
        TfliteFile.Node pool = ops.get(2).options();
        assertThat(ops.get(2).optionsType()).isEqualTo(TfliteSchema.OPTIONS_POOL_2D);
        assertThat(pool.i8(TfliteTables.POOL_PADDING, 0)).isEqualTo(TfliteSchema.PADDING_VALID);
        assertThat(pool.i32(TfliteTables.POOL_FILTER_W, 0)).isEqualTo(2);
        assertThat(pool.i32(TfliteTables.POOL_FILTER_H, 0)).isEqualTo(2);
        assertThat(pool.i32(TfliteTables.POOL_STRIDE_H, 0)).isEqualTo(2);
        TfliteFile.Node dw = ops.get(3).options();
        assertThat(ops.get(3).optionsType()).isEqualTo(TfliteSchema.OPTIONS_DEPTHWISE_CONV_2D);
        assertThat(dw.i32(TfliteTables.DEPTHWISE_STRIDE_W, 0)).isEqualTo(2);
        assertThat(dw.i32(TfliteTables.DEPTHWISE_STRIDE_H, 0)).isEqualTo(2);
        assertThat(dw.i32(TfliteTables.DEPTHWISE_MULTIPLIER, 0)).isEqualTo(1);
        assertThat(dw.i8(TfliteTables.DEPTHWISE_ACTIVATION, 0)).isEqualTo(TfliteSchema.ACTIVATION_RELU);
        assertThat(ops.get(6).optionsType()).isEqualTo(TfliteSchema.OPTIONS_RESHAPE);
        assertThat(ops.get(6).options().ints(TfliteTables.RESHAPE_NEW_SHAPE)).containsExactly(1, 144);
        assertThat(file.tensor(ops.get(6).inputs()[1]).type()).isEqualTo(TfliteSchema.INT32);
        assertThat(ops.get(7).options().i8(TfliteTables.FC_ACTIVATION, 0)).isEqualTo(TfliteSchema.ACTIVATION_RELU);
        assertThat(ops.get(8).optionsType()).isEqualTo(TfliteSchema.OPTIONS_FULLY_CONNECTED);
        assertThat(ops.get(8).options().i8(TfliteTables.FC_ACTIVATION, 0)).isEqualTo(TfliteSchema.ACTIVATION_NONE);
        assertThat(ops.get(9).optionsType()).isEqualTo(TfliteSchema.OPTIONS_QUANTIZE);
    }

    @Test
    void laysConvWeightsOutAsOhwiAndPermutesDenseInputsFromChannelMajorToHwc() {
        IntegerLayer conv = separable.layer(5);   // conv 1x1, 8 -> 16 on a 7x7 map
        byte[] t = file.buffers.get(file.tensor(file.ops.get(4).inputs()[1]).buffer());
        for (int o = 0; o < 16; o++) {
            for (int i = 0; i < 8; i++) {
                assertThat(t[o * 8 + i]).isEqualTo(conv.weights()[i * 16 + o]);
            }
        }
        IntegerLayer stem = separable.layer(0);   // conv 3x3, 1 -> 8
        byte[] s = file.buffers.get(file.tensor(file.ops.get(1).inputs()[1]).buffer());
        for (int o = 0; o < 8; o++) {
            for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) {
                    assertThat(s[(o * 3 + ky) * 3 + kx]).isEqualTo(stem.weights()[(ky * 3 + kx) * 8 + o]);
                }
            }
        }
        IntegerLayer dense = separable.layer(9);  // dense 32 after flatten of [16, 3, 3]
        byte[] d = file.buffers.get(file.tensor(file.ops.get(7).inputs()[1]).buffer());
        for (int u = 0; u < 32; u++) {
            for (int c = 0; c < 16; c++) {
                for (int p = 0; p < 9; p++) {
                    assertThat(d[u * 144 + p * 16 + c]).isEqualTo(dense.weights()[(c * 9 + p) * 32 + u]);
                }
            }
        }
    }

    @Test
    void writesOneWeightScaleForTheDenseLayersOfAPerTensorModel() {
        IntegerModel perTensor = IntegerFixtures.untrained(TestModels.separableCnn(), 8, true);
        TfliteFile f = new TfliteFile(TfliteExporter.build(perTensor, IntegerFixtures.calibration()).bytes());

        for (TfliteFile.Op op : f.ops) {
            if (op.inputs().length != 3) {
                continue;
            }
            TfliteFile.Tensor w = f.tensor(op.inputs()[1]);
            int channels = w.shape()[f.opcode(op).builtin() == TfliteSchema.OP_DEPTHWISE_CONV_2D ? 3 : 0];
            int expected = f.opcode(op).builtin() == TfliteSchema.OP_FULLY_CONNECTED ? 1 : channels;
            assertThat(w.quant().scale()).as(w.name()).hasSize(expected);
            assertThat(w.quant().zeroPoint()).as(w.name()).hasSize(expected);
            assertThat(f.tensor(op.inputs()[2]).quant().scale()).as("bias of " + w.name()).hasSize(channels);
        }
    }

    @Test
    void storesInt4CodesInInt8TensorsAndKeepsDepthwiseWeightsAt8Bits() {
        IntegerModel int4 = IntegerFixtures.untrained(TestModels.separableCnn(), 4, false);
        TfliteFile f = new TfliteFile(TfliteExporter.build(int4, IntegerFixtures.calibration()).bytes());

        int widest = 0;
        for (TfliteFile.Op op : f.ops) {
            if (op.inputs().length != 3) {
                continue;
            }
            TfliteFile.Tensor w = f.tensor(op.inputs()[1]);
            assertThat(w.type()).isEqualTo(TfliteSchema.INT8);
            int max = 0;
            for (byte b : f.buffers.get(w.buffer())) {
                max = Math.max(max, Math.abs(b));
            }
            if (f.opcode(op).builtin() == TfliteSchema.OP_DEPTHWISE_CONV_2D) {
                widest = max;
            } else {
                assertThat(max).as(w.name() + " codes").isLessThanOrEqualTo(7);
            }
            assertThat(f.opcode(op).version()).isEqualTo(f.opcode(op).builtin() == 9 ? 4 : 3);
        }
        assertThat(widest).as("depthwise codes use the int8 range").isGreaterThan(7);
    }

    @Test
    void fusesAReluAfterTheFinalLayerAndStartsTheOutputRangeAtZero() {
        Architecture arch = new Architecture("relu-logits", 1, 28, 28, 10, List.of(new LayerSpec.Conv2d(4, 3, 2),
                new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Dense(10), new LayerSpec.Relu()));
        IntegerModel model = IntegerFixtures.untrained(arch, 8, false);
        TfliteModel built = TfliteExporter.build(model, IntegerFixtures.calibration());
        TfliteFile f = new TfliteFile(built.bytes());

        assertThat(built.io().outputRelu()).isTrue();
        assertThat(built.io().output().zeroPoint()).isZero();
        TfliteFile.Op last = f.ops.get(f.ops.size() - 2);
        assertThat(f.opcode(last).builtin()).isEqualTo(TfliteSchema.OP_FULLY_CONNECTED);
        assertThat(last.options().i8(TfliteTables.FC_ACTIVATION, 0)).isEqualTo(TfliteSchema.ACTIVATION_RELU);
    }

    @Test
    void reshapesAFinalConvolutionAndAFlattenedInputToVectors() {
        Architecture allConv = new Architecture("all-conv", 1, 28, 28, 10, List.of(new LayerSpec.Conv2d(4, 3, 2),
                new LayerSpec.Relu(), new LayerSpec.Conv2d(10, 14, 14), new LayerSpec.Flatten()));
        Architecture mlp = new Architecture("mlp", 1, 28, 28, 10, List.of(new LayerSpec.Flatten(),
                new LayerSpec.Dense(16), new LayerSpec.Relu(), new LayerSpec.Dense(10)));

        TfliteFile conv = new TfliteFile(TfliteExporter.build(IntegerFixtures.untrained(allConv, 8, false),
                IntegerFixtures.calibration()).bytes());
        TfliteFile dense = new TfliteFile(TfliteExporter.build(IntegerFixtures.untrained(mlp, 8, false),
                IntegerFixtures.calibration()).bytes());

        assertThat(conv.ops.stream().map(o -> TfliteSchema.opName(conv.opcode(o).builtin())))
                .containsExactly("QUANTIZE", "CONV_2D", "CONV_2D", "RESHAPE", "QUANTIZE");
        assertThat(conv.tensor(conv.ops.get(2).outputs()[0]).shape()).containsExactly(1, 1, 1, 10);
        assertThat(conv.tensor(conv.outputs[0]).shape()).containsExactly(1, 10);
        assertThat(dense.ops.stream().map(o -> TfliteSchema.opName(dense.opcode(o).builtin())))
                .containsExactly("QUANTIZE", "RESHAPE", "FULLY_CONNECTED", "FULLY_CONNECTED", "QUANTIZE");
        assertThat(dense.tensor(dense.ops.get(2).inputs()[1]).shape()).containsExactly(16, 784);
    }

    @Test
    void choosesAnOutputRangeThatCoversTheCalibrationLogitsWithTheMargin() {
        float[][] calibration = IntegerFixtures.calibration();
        float[][] logits = new IntegerRuntime(separable).logits(calibration);
        double lo = 0;
        double hi = 0;
        for (float[] row : logits) {
            for (float v : row) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        TensorQuantization q = TfliteExporter.outputQuantization(separable, calibration);
        double span = hi - lo;

        assertThat(q.scale()).isCloseTo((float) (span * (1 + 2 * TfliteExporter.OUTPUT_RANGE_MARGIN) / 255),
                within(1e-6f * q.scale()));
        assertThat(q.dequantize(0)).isCloseTo((float) (lo - 0.1 * span), within(q.scale()));
        assertThat(q.dequantize(255)).isCloseTo((float) (hi + 0.1 * span), within(q.scale()));
        assertThat(q.dequantize(q.zeroPoint())).isZero();
        assertThatThrownBy(() -> TfliteExporter.outputQuantization(separable, new float[0][]))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("needs calibration rows");
    }

    @Test
    void quantizesInputRowsAsTheIntegerRuntimeAndLaysThemOutHwc() {
        TfliteIo io = new TfliteIo(new TensorQuantization(0.5f, 3), new TensorQuantization(1f, 0),
                List.of(1, 2, 2, 2), List.of(1, 2), false);
        // channel 0: 0.25 / 0.5 = 0.5 rounds away to 1, + 3 = 4; -2 -> -4 + 3 = -1, clamped to 0; 0.74 -> 1.48 -> 4;
        // 200 -> 403, clamped to 255. Channel 1: 1, 2, 3, 4 -> 5, 7, 9, 11. Interleaved per pixel (HWC).
        float[] chw = {0.25f, -2f, 0.74f, 200f, 1f, 2f, 3f, 4f};

        assertThat(io.inputCodes(chw)).containsExactly(4, 5, 0, 7, 4, 9, (byte) 255, 11);
    }

    @Test
    void rejectsSubByteActivationsBeforeWritingAnything(@TempDir Path dir) throws IOException {
        IntegerModel m = separable;
        IntegerModel fourBit = new IntegerModel(m.architecture(), m.weightBits(), 4, m.inputScale(), 0, m.layers(),
                m.metadata());
        Path target = dir.resolve("student.tflite");
        Files.writeString(target, "previous export");

        assertThatThrownBy(() -> TfliteExporter.export(fourBit, new TensorQuantization(0.1f, 128), target))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("4-bit activations").hasMessageContaining("activation_bits 8");
        assertThat(Files.readString(target)).isEqualTo("previous export");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void rejectsALayerWhoseInputScaleIsNotThePreviousOutputScaleNamingIt() {
        List<IntegerLayer> layers = new ArrayList<>(separable.layers());
        IntegerLayer dw = layers.get(1);
        layers.set(1, new IntegerLayer(dw.index(), dw.weightBits(), dw.weights(), dw.bias(), dw.weightScale(),
                dw.inputScale() * 2, dw.outputScale(), dw.outputZeroPoint(), dw.multiplier(), dw.shift()));
        IntegerModel broken = new IntegerModel(separable.architecture(), 8, 8, separable.inputScale(), 0, layers,
                separable.metadata());

        assertThatThrownBy(() -> TfliteExporter.build(broken, new TensorQuantization(0.1f, 128)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("layer 3 (depthwise_conv2d 3x3/2) reads codes at scale");
    }

    @Test
    void writesTheFileAtomicallyLeavingNoTemporarySibling(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("student.tflite");
        Files.writeString(target, "previous export");

        TfliteIo io = TfliteExporter.export(separable, exported.io().output(), target);

        assertThat(Files.readAllBytes(target)).isEqualTo(exported.bytes());
        assertThat(io).isEqualTo(exported.io());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }
}
