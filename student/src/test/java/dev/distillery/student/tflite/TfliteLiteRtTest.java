package dev.distillery.student.tflite;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.student.quant.CalibrationMethod;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.runtime.FloatRequantizingRuntime;
import dev.distillery.student.runtime.IntegerRuntime;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.LiteRt;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

/**
 * Exported students run in a real TFLite runtime, LiteRT.js (XNNPACK on WebAssembly) under Node.js, on real
 * Fashion-MNIST test images, against Distillery's integer runtime on the same rows. The student covers conv2d,
 * depthwise convolutions of stride 1 and 2 (asymmetric SAME padding), max pooling, flatten and two dense layers.
 * Against the integer runtime's fixed-point rounding the outputs may differ by one code at exact ties; against an
 * emulation of XNNPACK's float32 requantization ({@link FloatRequantizingRuntime}) they must be identical.
 */
class TfliteLiteRtTest {
    private static final int ROWS = 1000;

    record Scheme(Architecture arch, int weightBits, boolean perTensor, CalibrationMethod method, int qatSteps) {
    }

    static Stream<Arguments> schemes() {
        return Stream.of(
                Arguments.of(named("int8 per-channel QAT", new Scheme(TestModels.separableCnn(), 8, false,
                        CalibrationMethod.MINMAX, 60))),
                Arguments.of(named("int4 conv/dense + int8 depthwise per-channel QAT", new Scheme(
                        TestModels.separableCnn(), 4, false, CalibrationMethod.MINMAX, 150))),
                Arguments.of(named("int8 per-tensor PTQ, entropy calibration", new Scheme(TestModels.separableCnn(),
                        8, true, CalibrationMethod.ENTROPY, 0))));
    }

    @ParameterizedTest
    @MethodSource("schemes")
    void liteRtReproducesTheIntegerRuntimeOnRealTestImages(Scheme s, @TempDir Path dir) {
        LiteRt liteRt = LiteRt.require();
        IntegerModel model = IntegerFixtures.trained(s.arch(), s.weightBits(), s.perTensor(), s.method(),
                s.qatSteps());
        Path file = dir.resolve("student.tflite");
        TfliteIo io = TfliteExporter.export(model, IntegerFixtures.calibration(), file);

        float[][] x = FashionMnist.testImages(ROWS);
        int[] y = FashionMnist.testLabels(ROWS);
        byte[] rows = new byte[ROWS * io.inputSize()];
        for (int i = 0; i < ROWS; i++) {
            System.arraycopy(io.inputCodes(x[i]), 0, rows, i * io.inputSize(), io.inputSize());
        }
        LiteRt.Run run = liteRt.run(file, rows, dir);
        float[][] logits = new IntegerRuntime(model).logits(x);

        Agreement a = Agreement.of(io, logits, run.outputs(), y);
        int mismatches = emulationMismatches(model, io, x, run.outputs());
        System.out.printf("%s w%d%s: %s; %d outputs differ from the float-requantizing emulation; LiteRT %s%n",
                s.arch().name(), s.weightBits(), s.perTensor() ? " per-tensor" : "", a, mismatches, run.summary());

        assertThat(run.outputs()).hasSize(ROWS * io.outputSize());
        // What the device artifact can reproduce: argmax of the runtime's logits on the output's code grid. Rounding
        // differences at exact ties in inner layers may flip one row in a thousand at most.
        assertThat(a.agreeQuantized()).as("argmax agreement with the runtime's quantized logits, of " + ROWS)
                .isGreaterThanOrEqualTo(ROWS - ROWS / 1000);
        // Against the float logits, only rows whose top two logits lie within one output step may differ: there the
        // code grid itself can tie or reorder them.
        assertThat(a.unexplained()).as("rows not within one step of a tie whose argmax differs from the float logits'")
                .isLessThanOrEqualTo(ROWS / 1000);
        assertThat(a.maxCodeDifference()).as("largest difference from the runtime's quantized logits, in codes")
                .isLessThanOrEqualTo(1);
        assertThat(a.maxSteps()).as("largest error of an unsaturated output against the runtime's logits, in steps")
                .isLessThanOrEqualTo(1.0);
        assertThat(a.saturated()).as("outputs saturated at code 0 or 255, of " + ROWS * io.outputSize())
                .isLessThanOrEqualTo(ROWS * io.outputSize() / 1000);
        assertThat(a.accuracy()).as("LiteRT's accuracy on the test images").isGreaterThan(0.7);
        // XNNPACK requantizes through float32: emulating that rounding reproduces every output code.
        assertThat(mismatches).as("output codes that differ from the float-requantizing emulation").isZero();
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(named("final convolution flattened", new Architecture("all-conv", 1, 28, 28, 10, List.of(
                        new LayerSpec.Conv2d(4, 3, 2), new LayerSpec.Relu(), new LayerSpec.Conv2d(10, 14, 14),
                        new LayerSpec.Flatten())))),
                Arguments.of(named("flattened input, dense layers, relu on the logits", new Architecture("mlp", 1, 28,
                        28, 10, List.of(new LayerSpec.Flatten(), new LayerSpec.Dense(16), new LayerSpec.Relu(),
                        new LayerSpec.Dense(10), new LayerSpec.Relu())))));
    }

    /** Layer stacks the Fashion-MNIST student lacks, untrained: the emulation must still hold code for code. */
    @ParameterizedTest
    @MethodSource("shapes")
    void liteRtRunsOtherLayerStacksCodeForCode(Architecture arch, @TempDir Path dir) {
        LiteRt liteRt = LiteRt.require();
        IntegerModel model = IntegerFixtures.untrained(arch, 8, false);
        Path file = dir.resolve(arch.name() + ".tflite");
        TfliteIo io = TfliteExporter.export(model, IntegerFixtures.calibration(), file);
        float[][] x = FashionMnist.testImages(200);
        byte[] rows = new byte[x.length * io.inputSize()];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(io.inputCodes(x[i]), 0, rows, i * io.inputSize(), io.inputSize());
        }

        LiteRt.Run run = liteRt.run(file, rows, dir);

        Agreement a = Agreement.of(io, new IntegerRuntime(model).logits(x), run.outputs(), null);
        assertThat(emulationMismatches(model, io, x, run.outputs())).isZero();
        assertThat(a.maxCodeDifference()).isLessThanOrEqualTo(1);
    }

    /** Output codes where LiteRT and {@link FloatRequantizingRuntime} differ. */
    static int emulationMismatches(IntegerModel model, TfliteIo io, float[][] x, byte[] outputs) {
        FloatRequantizingRuntime emulation = new FloatRequantizingRuntime(model, io.output().scale(),
                io.output().zeroPoint(), io.outputRelu());
        int n = io.outputSize();
        int mismatches = 0;
        for (int r = 0; r < x.length; r++) {
            int[] codes = emulation.outputCodes(x[r]);
            for (int c = 0; c < n; c++) {
                mismatches += codes[c] != (outputs[r * n + c] & 0xff) ? 1 : 0;
            }
        }
        return mismatches;
    }
}
