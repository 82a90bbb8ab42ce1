package dev.distillery.student.tflite;

import dev.distillery.core.model.Architecture;
import dev.distillery.student.quant.CalibrationMethod;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.runtime.IntegerRuntime;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.LiteRt;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

/**
 * Exported students run in a real TFLite runtime, LiteRT.js (XNNPACK on WebAssembly) under Node.js, on real
 * Fashion-MNIST test images, against Distillery's integer runtime on the same rows. The student covers conv2d,
 * depthwise convolutions of stride 1 and 2 (asymmetric SAME padding), max pooling, flatten and two dense layers.
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
        System.out.printf("%s w%d%s: %s; LiteRT %s%n", s.arch().name(), s.weightBits(),
                s.perTensor() ? " per-tensor" : "", a, run.summary());

        assertThat(run.outputs()).hasSize(ROWS * io.outputSize());
        // What the device artifact can reproduce: argmax of the runtime's logits on the output's code grid. Rounding
        // differences at exact ties in inner layers may flip one row in a thousand at most.
        assertThat(a.agreeQuantized()).as("argmax agreement with the runtime's quantized logits, of " + ROWS)
                .isGreaterThanOrEqualTo(ROWS - ROWS / 1000);
        // Against the float logits, only rows whose top two logits lie within one output step may differ: there the
        // code grid itself can tie or reorder them.
        assertThat(a.agreeFloat()).as("argmax agreement with the runtime's float logits, of " + ROWS)
                .isGreaterThanOrEqualTo(ROWS - a.ambiguous() - ROWS / 1000);
        assertThat(a.maxCodeDifference()).as("largest difference from the runtime's quantized logits, in codes")
                .isLessThanOrEqualTo(1);
        assertThat(a.maxSteps()).as("largest error of an unsaturated output against the runtime's logits, in steps")
                .isLessThanOrEqualTo(1.0);
        assertThat(a.saturated()).as("outputs saturated at code 0 or 255, of " + ROWS * io.outputSize())
                .isLessThanOrEqualTo(ROWS * io.outputSize() / 1000);
        assertThat(a.accuracy()).as("LiteRT's accuracy on the test images").isGreaterThan(0.7);
    }
}
