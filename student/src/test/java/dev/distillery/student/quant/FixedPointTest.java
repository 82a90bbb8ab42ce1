package dev.distillery.student.quant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FixedPointTest {

    @Test
    void representsMultipliersToWithinOnePartIn2To30() {
        for (double m : new double[]{1e-7, 3.3e-4, 0.0123, 0.5, 0.75, 0.999999999, 1.0, 1.5, 37.25, 1000.0}) {
            FixedPoint fp = FixedPoint.of(m);
            assertThat(fp.multiplier()).isGreaterThanOrEqualTo(1 << 30);
            assertThat(Math.abs(fp.real() - m) / m).as("multiplier %s", m).isLessThan(Math.scalb(1.0, -30));
        }
    }

    @Test
    void roundsHalfwayProductsAwayFromZero() {
        FixedPoint half = FixedPoint.of(0.5);

        assertThat(FixedPoint.apply(3, half.multiplier(), half.shift())).isEqualTo(2);
        assertThat(FixedPoint.apply(5, half.multiplier(), half.shift())).isEqualTo(3);
        assertThat(FixedPoint.apply(-3, half.multiplier(), half.shift())).isEqualTo(-2);
        assertThat(FixedPoint.apply(4, half.multiplier(), half.shift())).isEqualTo(2);
    }

    @Test
    void scalesTheExtremesOfAnInt32AccumulatorWithoutOverflow() {
        FixedPoint fp = FixedPoint.of(0.999);

        assertThat(FixedPoint.apply(Integer.MAX_VALUE, fp.multiplier(), fp.shift()))
                .isEqualTo(Math.round(Integer.MAX_VALUE * fp.real()));
        assertThat(FixedPoint.apply(Integer.MIN_VALUE, fp.multiplier(), fp.shift()))
                .isEqualTo(-Math.round(-(double) Integer.MIN_VALUE * fp.real()));
    }

    @Test
    void requantizeClampsToTheUnsignedCodeRange() {
        FixedPoint one = FixedPoint.of(1.0);

        assertThat(FixedPoint.requantize(-7, one.multiplier(), one.shift(), 255)).isZero();
        assertThat(FixedPoint.requantize(300, one.multiplier(), one.shift(), 255)).isEqualTo(255);
        assertThat(FixedPoint.requantize(300, one.multiplier(), one.shift(), 15)).isEqualTo(15);
        assertThat(FixedPoint.requantize(77, one.multiplier(), one.shift(), 255)).isEqualTo(77);
    }

    @Test
    void rejectsNonPositiveMultipliers() {
        assertThatThrownBy(() -> FixedPoint.of(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> FixedPoint.of(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
