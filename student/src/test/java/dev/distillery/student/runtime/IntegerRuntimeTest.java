package dev.distillery.student.runtime;

import dev.distillery.core.error.DataContractException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.student.quant.FixedPoint;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class IntegerRuntimeTest {
    private static final double IN_SCALE = 1.0 / 255;

    /**
     * 2x2 input, one 3x3 SAME convolution whose window covers the whole image from every position, requantized
     * by exactly 0.5, then a dense layer with two units: small enough to follow by hand.
     */
    private static IntegerModel handModel(int convBias) {
        Architecture arch = new Architecture("hand", 1, 2, 2, 2, List.of(new LayerSpec.Conv2d(1, 3, 1),
                new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Dense(2)));
        byte[] ones = new byte[9];
        Arrays.fill(ones, (byte) 1);
        FixedPoint half = FixedPoint.of(0.5);
        IntegerLayer conv = new IntegerLayer(0, ones, new int[]{convBias}, new float[]{1f}, IN_SCALE, 0.1,
                new int[]{half.multiplier()}, new int[]{half.shift()});
        // Dense weights [in=4, units=2]: unit 0 sums its inputs, unit 1 computes 2*x3 - x0.
        byte[] dense = {1, -1, 1, 0, 1, 0, 1, 2};
        IntegerLayer out = new IntegerLayer(3, dense, new int[]{0, -100}, new float[]{0.5f, 0.25f}, 0.1, 0,
                new int[0], new int[0]);
        return new IntegerModel(arch, 8, 8, IN_SCALE, List.of(conv, out), Map.of());
    }

    private static float[] codes(int... c) {
        float[] x = new float[c.length];
        for (int i = 0; i < c.length; i++) {
            x[i] = (float) (c[i] * IN_SCALE);
        }
        return x;
    }

    @Test
    void computesConvolutionRequantizationAndDequantizedLogitsLikeHandArithmetic() {
        IntegerRuntime runtime = new IntegerRuntime(handModel(5));

        float[] logits = runtime.logits(codes(10, 20, 30, 41));

        // conv: 5 + 10 + 20 + 30 + 41 = 106 at every position; * 0.5 = 53
        // dense: unit 0 = 4 * 53 = 212, unit 1 = -100 - 53 + 2 * 53 = -47
        assertThat(logits[0]).isCloseTo((float) (212 * 0.1 * 0.5), within(1e-6f));
        assertThat(logits[1]).isCloseTo((float) (-47 * 0.1 * 0.25), within(1e-6f));
        assertThat(runtime.predict(codes(10, 20, 30, 41))).isZero();
    }

    @Test
    void clampsRequantizedActivationsAtZeroAndAtTheLargestCode() {
        IntegerRuntime negative = new IntegerRuntime(handModel(-1000));
        IntegerRuntime saturated = new IntegerRuntime(handModel(1000));

        // A negative accumulator is the ReLU's zero; 1,106 * 0.5 = 553 saturates at 255.
        assertThat(negative.logits(codes(10, 20, 30, 41))).containsExactly(0f, (float) (-100 * 0.1 * 0.25));
        assertThat(saturated.logits(codes(10, 20, 30, 41))[0]).isCloseTo((float) (4 * 255 * 0.1 * 0.5), within(1e-5f));
    }

    @Test
    void quantizesInputsByRoundingAndClampsOutOfRangeValues() {
        IntegerRuntime runtime = new IntegerRuntime(handModel(0));
        float[] rounded = {(float) (9.6 * IN_SCALE), (float) (20.4 * IN_SCALE), -0.5f, 1.7f};

        // codes 10, 20, 0 (clamped), 255 (clamped): conv = 285 -> 143 (142.5 rounds up)
        assertThat(runtime.logits(rounded)[0]).isCloseTo((float) (4 * 143 * 0.1 * 0.5), within(1e-5f));
    }

    @Test
    void batchLogitsEqualSingleImageLogits() {
        IntegerRuntime runtime = new IntegerRuntime(handModel(5));
        float[][] batch = {codes(1, 2, 3, 4), codes(200, 0, 7, 9), codes(10, 20, 30, 41)};

        float[][] logits = runtime.logits(batch);

        for (int i = 0; i < batch.length; i++) {
            assertThat(logits[i]).containsExactly(runtime.logits(batch[i]));
        }
    }

    @Test
    void rejectsInputOfTheWrongWidth() {
        IntegerRuntime runtime = new IntegerRuntime(handModel(5));

        assertThatThrownBy(() -> runtime.logits(new float[5]))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining("expects 4 input values, got 5");
    }
}
