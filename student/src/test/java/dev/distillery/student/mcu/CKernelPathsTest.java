package dev.distillery.student.mcu;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.student.quant.Calibration;
import dev.distillery.student.quant.CalibrationMethod;
import dev.distillery.student.quant.FixedPoint;
import dev.distillery.student.quant.IntegerConverter;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.quant.WeightQuantizer;
import dev.distillery.student.runtime.IntegerRuntime;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

/**
 * Every path of the C kernels against the integer runtime, bit for bit, on the host build: architectures chosen
 * for their kernels rather than their accuracy (random weights, calibrated), with 8-bit and packed 4-bit weights,
 * some with inputs shifted so that the input zero point is not 0.
 */
class CKernelPathsTest {
    @TempDir
    Path tmp;

    /**
     * 5x5/2 and 2x2 kernels (windows clipped everywhere), a 3x3 over 4 channels, a 1x1 over 5 channels (an odd row
     * of packed 4-bit codes), a 3x3 pool.
     */
    static final Architecture ODD_KERNELS = new Architecture("odd-kernels", 1, 28, 28, 10, List.of(
            new LayerSpec.Conv2d(4, 5, 2), new LayerSpec.Relu(),
            new LayerSpec.Conv2d(6, 3, 1), new LayerSpec.Relu(),
            new LayerSpec.DepthwiseConv2d(3, 1), new LayerSpec.Relu(),
            new LayerSpec.Conv2d(5, 2, 1), new LayerSpec.Relu(),
            new LayerSpec.Conv2d(4, 1, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(3),
            new LayerSpec.Flatten(), new LayerSpec.Dense(10)));

    /** A convolution head on a 1x1 map (accumulators from the convolution kernel), a float relu on the logits. */
    static final Architecture CONV_HEAD = new Architecture("conv-head", 1, 28, 28, 10, List.of(
            new LayerSpec.Conv2d(8, 3, 2), new LayerSpec.Relu(), new LayerSpec.Conv2d(8, 1, 2),
            new LayerSpec.Relu(), new LayerSpec.MaxPool(2), new LayerSpec.Conv2d(10, 3, 3),
            new LayerSpec.Flatten(), new LayerSpec.Relu()));

    /** Dense only: 7 hidden units (a block of four and three single units; 7 inputs, an odd packed row). */
    static final Architecture MLP = new Architecture("mlp", 1, 28, 28, 10, List.of(new LayerSpec.Flatten(),
            new LayerSpec.Dense(7), new LayerSpec.Relu(), new LayerSpec.Dense(10)));

    static Stream<Arguments> architectures() {
        return Stream.of(
                Arguments.of(named("odd kernels, 8-bit, input zero point", ODD_KERNELS), 8, -0.3f),
                Arguments.of(named("odd kernels, 4-bit, input zero point", ODD_KERNELS), 4, -0.3f),
                Arguments.of(named("convolution head, 8-bit", CONV_HEAD), 8, 0f),
                Arguments.of(named("dense only, 8-bit, input zero point", MLP), 8, -0.3f),
                Arguments.of(named("dense only, 4-bit", MLP), 4, 0f));
    }

    @ParameterizedTest
    @MethodSource("architectures")
    void hostBuildComputesTheRuntimesLogitsBitForBit(Architecture arch, int bits, float inputShift) {
        McuToolchain toolchain = RequiredTools.toolchain(tmp);
        RequiredTools.require(toolchain, McuTarget.HOST);
        ModelArtifact model = TestModels.randomModel(arch, 5);
        float[][] calibration = shift(FashionMnist.trainImages(200), inputShift);
        QuantSpec spec = Calibration.calibrate(model, calibration, new QuantSpec(bits, 8, Map.of(), Map.of(), false, 8),
                CalibrationMethod.MINMAX, 100.0);
        IntegerModel integer = IntegerConverter.convert(model.withQuant(spec));
        float[][] images = shift(FashionMnist.testImages(100), inputShift);
        // a few values far outside the calibrated range, exactly on a rounding tie, and NaN
        images[0][0] = 7f;
        images[0][1] = -3f;
        images[0][2] = (float) (0.5 * integer.inputScale());
        images[0][3] = Float.NaN;

        CExport export = CExporter.export(integer, "paths", tmp.resolve("paths"));
        McuMeasurement host = toolchain.measure(export, McuTarget.HOST, images);

        float[][] expected = new IntegerRuntime(integer).logits(images);
        if (inputShift != 0) {
            assertThat(integer.inputZeroPoint()).isPositive();
        }
        for (int i = 0; i < images.length; i++) {
            for (int c = 0; c < expected[i].length; c++) {
                assertThat(Float.floatToRawIntBits(host.logits()[i][c])).as("image %d logit %d", i, c)
                        .isEqualTo(Float.floatToRawIntBits(expected[i][c]));
            }
        }
        assertThat(host.ram().arenaBytes()).isEqualTo(export.arenaBytes());
    }

    /**
     * A convolution whose 3x3 window covers a whole 2x2 image, all weights 1, requantized by exactly 1/2 (a right
     * shift of 31) or 1/4 (32, the high-word path): about half the accumulators land exactly on a tie, which must
     * round away from zero as {@code FixedPoint.apply} does.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.5, 0.25})
    void requantizationRoundsExactTiesAwayFromZero(double multiplier) {
        McuToolchain toolchain = RequiredTools.toolchain(tmp);
        RequiredTools.require(toolchain, McuTarget.HOST);
        double inScale = 1.0 / 255;
        Architecture arch = new Architecture("ties", 1, 2, 2, 2, List.of(new LayerSpec.Conv2d(1, 3, 1),
                new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Dense(2)));
        byte[] ones = new byte[9];
        java.util.Arrays.fill(ones, (byte) 1);
        FixedPoint m = FixedPoint.of(multiplier);
        IntegerLayer conv = new IntegerLayer(0, ones, new int[]{-7}, new float[]{1f}, inScale, 0.1,
                new int[]{m.multiplier()}, new int[]{m.shift()});
        IntegerLayer out = new IntegerLayer(3, new byte[]{1, -1, 1, 0, 1, 0, 1, 2}, new int[]{0, -100},
                new float[]{0.5f, 0.25f}, 0.1, 0, new int[0], new int[0]);
        IntegerModel model = new IntegerModel(arch, 8, 8, inScale, List.of(conv, out), Map.of());
        java.util.Random rnd = new java.util.Random(3);
        float[][] images = new float[200][4];
        int ties = 0;
        int step = (int) Math.round(1 / multiplier);
        for (float[] image : images) {
            int acc = -7;
            for (int j = 0; j < 4; j++) {
                int code = rnd.nextInt(256);
                image[j] = (float) (code * inScale);
                acc += (int) WeightQuantizer.roundHalfAway(image[j] / (float) inScale);
            }
            ties += acc > 0 && acc % step == step / 2 ? 1 : 0;
        }

        McuMeasurement host = toolchain.measure(CExporter.export(model, "ties", tmp.resolve("ties")), McuTarget.HOST,
                images);

        assertThat(ties).as("rows whose accumulator is an exact tie").isGreaterThan(200 / step / 2);
        float[][] expected = new IntegerRuntime(model).logits(images);
        for (int i = 0; i < images.length; i++) {
            assertThat(host.logits()[i]).as("image %d", i).containsExactly(expected[i]);
        }
    }

    private static float[][] shift(float[][] x, float by) {
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i].clone();
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] += by;
            }
        }
        return out;
    }
}
