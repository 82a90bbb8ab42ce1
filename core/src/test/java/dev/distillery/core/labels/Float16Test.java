package dev.distillery.core.labels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The binary16 conversion soft labels are stored with, at the edges of its ranges. */
class Float16Test {

    @Test
    void roundsTiesAwayFromZero() {
        // 1 + 2^-11 lies halfway between 1 (0x3C00) and the next half, 1 + 2^-10 (0x3C01)
        assertThat(Float16.encode(1f + 0x1p-11f)).isEqualTo((short) 0x3C01);
        assertThat(Float16.encode(-(1f + 0x1p-11f))).isEqualTo((short) 0xBC01);
        assertThat(Float16.encode(Math.nextDown(1f + 0x1p-11f))).isEqualTo((short) 0x3C00);
    }

    @Test
    void keepsSubnormalsAndFlushesBelowHalfTheSmallest() {
        assertThat(Float16.encode(0x1p-24f)).isEqualTo((short) 0x0001);
        assertThat(Float16.encode(0x1p-25f)).isEqualTo((short) 0x0001);
        assertThat(Float16.encode(Math.nextDown(0x1p-25f))).isEqualTo((short) 0x0000);
        assertThat(Float16.decode((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(Float16.decode((short) 0x03FF)).isEqualTo(0x3FFp-24f);
    }

    @Test
    void saturatesJustAboveTheLargestHalfAndOverflowsFrom65536() {
        assertThat(Float16.encode(65504f)).isEqualTo((short) 0x7BFF);
        assertThat(Float16.encode(65520f)).isEqualTo((short) 0x7BFF);
        assertThat(Float16.encode(65536f)).isEqualTo((short) 0x7C00);
        assertThat(Float16.encode(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFC00);
        assertThat(Float16.encode(Float.NaN)).isEqualTo((short) 0x7E00);
        assertThat(Float16.decode((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Float16.decode((short) 0x7E00)).isNaN();
    }
}
