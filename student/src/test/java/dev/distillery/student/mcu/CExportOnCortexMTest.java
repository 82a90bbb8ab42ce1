package dev.distillery.student.mcu;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.student.quant.Calibration;
import dev.distillery.student.quant.CalibrationMethod;
import dev.distillery.student.quant.IntegerConverter;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.runtime.IntegerRuntime;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

/**
 * A student trained on Fashion-MNIST, converted to int8 (per-channel) and int4 (per-tensor), exported to C, built
 * with gcc for the host and with arm-none-eabi-gcc for the Cortex-M4F, M7 and M55, and run on QEMU: on 200 test
 * images every logit has the integer runtime's exact bits on every target, the instruction count per inference is
 * the same in two runs, and flash, RAM and instructions agree with what the model is.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CExportOnCortexMTest {
    private static final int IMAGES = 200;

    /**
     * conv2d on one channel (the stem's unrolled path), max pool before its relu, a stride-1 depthwise conv, a
     * pointwise conv, a stride-2 depthwise conv on an even map (asymmetric SAME padding), a 3x3 conv over 16
     * channels, max pool after its relu, a hidden and a final dense layer: about 220k MACs.
     */
    static final Architecture ARCH = new Architecture("mcu-cnn", 1, 28, 28, 10, List.of(
            new LayerSpec.Conv2d(8, 3, 1), new LayerSpec.MaxPool(2), new LayerSpec.Relu(),
            new LayerSpec.DepthwiseConv2d(3, 1), new LayerSpec.Relu(),
            new LayerSpec.Conv2d(16, 1, 1), new LayerSpec.Relu(),
            new LayerSpec.DepthwiseConv2d(3, 2), new LayerSpec.Relu(),
            new LayerSpec.Conv2d(16, 3, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
            new LayerSpec.Flatten(), new LayerSpec.Dense(32), new LayerSpec.Relu(), new LayerSpec.Dense(10)));

    @TempDir
    Path tmp;

    private float[][] images;
    private int[] labels;
    private ModelArtifact trained;
    private final List<String> figures = new ArrayList<>();

    @BeforeAll
    void train() {
        images = FashionMnist.testImages(IMAGES);
        labels = FashionMnist.testLabels(IMAGES);
        trained = TestModels.trainedFloat(ARCH, 200);
    }

    static Stream<Arguments> variants() {
        List<Arguments> out = new ArrayList<>();
        for (McuTarget target : McuTarget.values()) {
            out.add(Arguments.of(named("int8 per-channel on " + target.id(), 8), false, target));
            out.add(Arguments.of(named("int4 per-tensor on " + target.id(), 4), true, target));
        }
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("variants")
    void exportedStudentRunsBitIdenticallyAndIsMeasured(int bits, boolean perTensor, McuTarget target) {
        McuToolchain toolchain = RequiredTools.toolchain(tmp);
        RequiredTools.require(toolchain, target);
        IntegerModel model = convert(bits, perTensor);
        String prefix = "student_int" + bits;
        CExport export = CExporter.export(model, prefix, tmp.resolve(prefix));

        McuMeasurement first = toolchain.measure(export, target, images);

        float[][] expected = new IntegerRuntime(model).logits(images);
        int correct = 0;
        for (int i = 0; i < IMAGES; i++) {
            for (int c = 0; c < 10; c++) {
                assertThat(Float.floatToRawIntBits(first.logits()[i][c])).as("image %d logit %d", i, c)
                        .isEqualTo(Float.floatToRawIntBits(expected[i][c]));
            }
            correct += TestModels.argmax(first.logits()[i]) == labels[i] ? 1 : 0;
        }
        // a trained student, not noise: well above the 10% of guessing
        assertThat(correct).as("correct of %d", IMAGES).isGreaterThan(IMAGES / 2);

        // Flash: a byte per weight code, half a byte in 4-bit dense and pointwise layers; biases and multipliers add
        // 9 bytes per channel at most, the logit scales 8 per class, the layer tables under 100 bytes per layer.
        long weights = 0;
        long channels = 0;
        for (IntegerLayer layer : model.layers()) {
            LayerSpec spec = ARCH.layerInfos().get(layer.index()).spec();
            boolean packed = layer.weightBits() <= 4 && (spec instanceof LayerSpec.Dense
                    || spec instanceof LayerSpec.Conv2d c && c.kernel() == 1 && c.stride() == 1);
            int rows = layer.channels();
            int row = layer.weights().length / rows;
            weights += packed ? (long) rows * ((row + 1) / 2) : layer.weights().length;
            channels += rows;
        }
        // by hand: 72 stem + 72 depthwise + 128 pointwise + 144 depthwise + 2,304 conv + 4,608 dense + 320 logits;
        // in 4 bits the pointwise and both dense layers halve (64, 2,304, 160)
        assertThat(weights).as("stored weight bytes").isEqualTo(bits == 8 ? 7_648 : 5_120);
        assertThat(first.flash().constantBytes()).isBetween(weights + 4 * channels,
                weights + 9 * channels + 8 * 10 + 100L * ARCH.layers().size());
        assertThat(first.flash().codeBytes()).isBetween(500L, 16_000L);
        assertThat(first.ram().arenaBytes()).isEqualTo(export.arenaBytes());
        assertThat(first.ram().stackBytes()).isBetween(16L, 2_048L);
        if (!target.emulated()) {
            assertThat(first.instructions()).isNull();
            return;
        }
        // The painted stack can only be shallower than the compiler's bound for the same chain.
        assertThat(first.ram().measuredStackBytes()).isBetween(8L, first.ram().stackBytes());
        assertThat(first.ram().unboundedFunctions()).isEmpty();
        assertThat(first.flash().libraryCalls()).as("soft double only on the single-precision Cortex-M4F")
                .isEqualTo(target == McuTarget.CORTEX_M4F ? List.of("__aeabi_d2f", "__aeabi_dmul", "__aeabi_i2d")
                        : List.of());

        McuMeasurement second = toolchain.measure(export, target, images);

        assertThat(second.instructions()).as("instruction counts of a second run").isEqualTo(first.instructions());
        // Every MAC needs at least its multiply-accumulate instruction; loads, address arithmetic, border windows
        // and requantization stay well below 30 instructions per MAC in these kernels.
        double perMac = first.instructions().meanInvoke() / ARCH.macs();
        assertThat(perMac).as("instructions per MAC").isBetween(1.0, 30.0);
        // quantize_input divides and rounds each of the 784 inputs: at least a load, a divide and a store each
        assertThat(first.instructions().quantize()[0]).isBetween(3L * 784, 60L * 784);
        figures.add(String.format(Locale.ROOT, "%s %s: %d MACs, invoke %.0f instructions (%.2f per MAC, %d..%d), "
                        + "whole inference %.0f; flash %d constants + %d code (+%d library); RAM %d arena + %d stack "
                        + "(painted %d); accuracy %d/%d", prefix, target.id(), ARCH.macs(),
                first.instructions().meanInvoke(), perMac, first.instructions().minInvoke(),
                first.instructions().maxInvoke(), first.instructions().meanPerInference(),
                first.flash().constantBytes(), first.flash().codeBytes(), first.flash().libraryBytes(),
                first.ram().arenaBytes(), first.ram().stackBytes(), first.ram().measuredStackBytes(), correct, IMAGES));
    }

    @AfterAll
    void printFigures() {
        figures.forEach(System.out::println);
    }

    private IntegerModel convert(int bits, boolean perTensor) {
        QuantSpec settings = new QuantSpec(bits, 8, Map.of(), Map.of(), perTensor, 8);
        QuantSpec spec = Calibration.calibrate(trained, FashionMnist.trainImages(500), settings,
                CalibrationMethod.MINMAX, 100.0);
        return IntegerConverter.convert(trained.withQuant(spec));
    }
}
