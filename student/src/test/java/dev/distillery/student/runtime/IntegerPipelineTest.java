package dev.distillery.student.runtime;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.core.nn.SameDiffNet;
import dev.distillery.student.quant.Calibration;
import dev.distillery.student.nn.FakeQuantHooks;
import dev.distillery.student.quant.IntegerConverter;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

/** Train → calibrate → QAT → convert → integer runtime, checked against the fake-quantized graph. */
class IntegerPipelineTest {

    static Stream<Arguments> students() {
        return Stream.of(Arguments.of(named("conv-relu-pool-dense", TestModels.tinyCnn())),
                Arguments.of(named("depthwise-separable with stride-2 depthwise", TestModels.separableCnn())));
    }

    @ParameterizedTest
    @MethodSource("students")
    void integerRuntimeAgreesWithTheFakeQuantizedGraph(Architecture arch) {
        float[][] trainX = FashionMnist.trainImages(2000);
        int[] trainY = FashionMnist.trainLabels(2000);
        ModelArtifact floatModel = TestModels.trainedFloat(arch, 300);
        QuantSpec spec = Calibration.calibrate(floatModel, Arrays.copyOf(trainX, 500), 8, 8);
        FakeQuantHooks hooks = new FakeQuantHooks(spec);
        ModelArtifact qat = TestModels.train(floatModel, hooks, trainX, trainY, 60, 64, 5e-4, 13).withQuant(spec);
        IntegerModel integer = IntegerConverter.convert(qat);
        IntegerRuntime runtime = new IntegerRuntime(integer);

        float[][] testX = FashionMnist.testImages(1000);
        int[] testY = FashionMnist.testLabels(1000);
        float[][] expected = SameDiffNet.forInference(arch, qat.params(), hooks).logits(testX);
        long t0 = System.nanoTime();
        float[][] actual = runtime.logits(testX);
        long nanos = System.nanoTime() - t0;

        // Output step of logit c: how far one code of one input to the final layer can move it.
        IntegerLayer last = integer.layers().get(integer.layers().size() - 1);
        double[] step = new double[10];
        for (int c = 0; c < 10; c++) {
            step[c] = last.inputScale() * last.weightScale()[c] * integer.weightQmax();
        }
        double maxSteps = 0;
        int agree = 0;
        int correctInt = 0;
        int correctFq = 0;
        double maxDiff = 0;
        double sumDiff = 0;
        for (int i = 0; i < testX.length; i++) {
            int p = TestModels.argmax(actual[i]);
            int q = TestModels.argmax(expected[i]);
            agree += p == q ? 1 : 0;
            correctInt += p == testY[i] ? 1 : 0;
            correctFq += q == testY[i] ? 1 : 0;
            for (int c = 0; c < 10; c++) {
                double d = Math.abs(actual[i][c] - expected[i][c]);
                maxDiff = Math.max(maxDiff, d);
                maxSteps = Math.max(maxSteps, d / step[c]);
                sumDiff += d;
            }
        }
        System.out.printf("%s: agreement %d/1000, accuracy int %.3f fq %.3f, logit diff max %.5f mean %.6f, "
                        + "max in output steps %.3f, %.1f µs/image%n", arch.name(), agree, correctInt / 1000.0,
                correctFq / 1000.0, maxDiff, sumDiff / 10000, maxSteps, nanos / 1e3 / testX.length);
        assertThat(agree).isGreaterThanOrEqualTo(990);
        // The two paths differ only where a value lands within rounding error of a code boundary (int32 bias
        // rounding, float32 summation order) and flips by one code. One flipped input of the final layer moves a
        // logit by at most one output step, so a bound of a few steps allows a handful of such flips per image.
        assertThat(maxSteps).isLessThanOrEqualTo(5.0);
        // Conversion must not cost accuracy: the fake-quantized graph is the reference the integer model ships for.
        assertThat(Math.abs(correctInt - correctFq)).isLessThanOrEqualTo(10);
        assertThat(correctInt / 1000.0).as("test accuracy of the integer student").isGreaterThan(0.7);
    }
}
