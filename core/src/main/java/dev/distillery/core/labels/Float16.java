package dev.distillery.core.labels;

/**
 * IEEE 754 binary16 values carried as the 16-bit pattern in a signed short (what {@code numpy.view} reads back).
 * Encoding rounds to the nearest binary16 value with ties away from zero, saturates magnitudes in [65520, 65536) to
 * the largest finite value and turns larger ones into infinity; these are the conversions soft-label files have
 * always been written with, so files written before and after read back alike.
 */
public final class Float16 {
    /** Half of the 13 low significand bits that binary16 drops: added before truncating, it rounds. */
    private static final int HALF_DROPPED = 1 << 12;
    /** float bits of 2^16: from here on a value is infinity in binary16. */
    private static final int TWO_POW_16 = 0x47800000;
    /** float bits of 2^-14, the smallest normal binary16 value. */
    private static final int MIN_NORMAL = 0x38800000;
    /** float bits of 2^-25: below this (after rounding) a value is zero in binary16. */
    private static final int HALF_MIN_SUBNORMAL = 0x33000000;
    /** The exponent bias difference (127 - 15) in place in a float's bits. */
    private static final int REBIAS = 112 << 23;
    private static final int FLOAT_INFINITY = 0x7f800000;

    private Float16() {
    }

    public static short encode(float v) {
        int bits = Float.floatToIntBits(v);   // every NaN as the one canonical NaN
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7fffffff;
        int rounded = magnitude + HALF_DROPPED;
        if (magnitude >= TWO_POW_16) {
            // too large, infinite or NaN: infinity, or the top of the significand on the special exponent
            return (short) (rounded < FLOAT_INFINITY ? sign | 0x7c00 : sign | 0x7c00 | (magnitude & 0x7fffff) >>> 13);
        }
        if (rounded >= TWO_POW_16) {
            return (short) (sign | 0x7bff);
        }
        if (rounded >= MIN_NORMAL) {
            return (short) (sign | (rounded - REBIAS) >>> 13);
        }
        if (rounded < HALF_MIN_SUBNORMAL) {
            return (short) sign;
        }
        // subnormal: the significand with its implicit bit, shifted to the 2^-24 grid with rounding
        int exponent = magnitude >>> 23;
        int significand = (magnitude & 0x7fffff) | 0x800000;
        int shift = 126 - exponent;
        return (short) (sign | (significand + (1 << (shift - 1))) >>> shift);
    }

    public static float decode(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int significand = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | FLOAT_INFINITY | significand << 13);
        }
        if (exponent == 0) {
            float value = significand * 0x1p-24f;
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | (exponent << 23) + REBIAS | significand << 13);
    }
}
