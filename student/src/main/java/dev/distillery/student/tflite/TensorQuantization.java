package dev.distillery.student.tflite;

/**
 * Quantization of a uint8 tensor at the boundary of an exported model: code {@code q} stands for the real value
 * {@code scale * (q - zeroPoint)}. The scale is the float32 the file stores.
 */
public record TensorQuantization(float scale, int zeroPoint) {

    public TensorQuantization {
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be positive and finite, was " + scale);
        }
        if (zeroPoint < 0 || zeroPoint > 255) {
            throw new IllegalArgumentException("uint8 zero point must be in [0, 255], was " + zeroPoint);
        }
    }

    /** The zero point of the same values held as int8 codes ({@code q - 128}), as the model's inner tensors hold them. */
    public int int8ZeroPoint() {
        return zeroPoint - 128;
    }

    public float dequantize(int code) {
        return scale * (code - zeroPoint);
    }

    /** The nearest code of {@code value} (ties away from zero), clamped to [0, 255]. */
    public int quantize(double value) {
        double q = value / scale;
        long r = q >= 0 ? (long) Math.floor(q + 0.5) : -(long) Math.floor(-q + 0.5);
        return (int) Math.max(0, Math.min(255, r + zeroPoint));
    }
}
