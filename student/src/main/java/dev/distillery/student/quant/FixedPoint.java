package dev.distillery.student.quant;

/**
 * Fixed-point requantization as TFLite, gemmlowp and CMSIS-NN do it: a real multiplier M > 0 is stored as an
 * int32 {@code multiplier} in [2^30, 2^31) and an exponent {@code shift} with M = multiplier * 2^(shift - 31),
 * so integer-only hardware scales an int32 accumulator with one 32x32→64-bit multiply and one rounding shift.
 */
public record FixedPoint(int multiplier, int shift) {

    public FixedPoint {
        if (multiplier < (1 << 30)) {
            throw new IllegalArgumentException("multiplier must be in [2^30, 2^31), was " + multiplier);
        }
    }

    /** Nearest representation of {@code real}; the relative error is below 2^-31. */
    public static FixedPoint of(double real) {
        if (!(real > 0) || Double.isInfinite(real)) {
            throw new IllegalArgumentException("requantization multiplier must be positive and finite, was " + real);
        }
        int exponent = Math.getExponent(real) + 1;
        // real = fraction * 2^exponent with fraction in [0.5, 1)
        double fraction = Math.scalb(real, -exponent);
        long q = Math.round(fraction * (1L << 31));
        if (q == 1L << 31) {
            q >>= 1;
            exponent++;
        }
        if (exponent > 30) {
            throw new IllegalArgumentException("requantization multiplier " + real + " is too large for int32 accumulators");
        }
        return new FixedPoint((int) q, exponent);
    }

    public double real() {
        return Math.scalb((double) multiplier, shift - 31);
    }

    /** {@code round(acc * M)}, ties away from zero, without saturation (callers clamp to their code range). */
    public static long apply(int acc, int multiplier, int shift) {
        long product = (long) acc * multiplier;
        int right = 31 - shift;
        if (right >= 63) {
            return 0;
        }
        long half = 1L << (right - 1);
        return product >= 0 ? (product + half) >> right : -((-product + half) >> right);
    }

    /** Requantizes to an unsigned activation code in [0, qmax]; clamping at zero is the fused ReLU. */
    public static int requantize(int acc, int multiplier, int shift, int qmax) {
        long v = apply(acc, multiplier, shift);
        return v <= 0 ? 0 : (int) Math.min(v, qmax);
    }
}
