package dev.distillery.student.quant;

import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.QuantSpec;

/**
 * Symmetric per-output-channel weight quantization in plain Java, written to reproduce the graph of
 * {@link dev.distillery.core.engine.FakeQuantHooks} bit for bit: the same float32 arithmetic, the same range floor and rounding half away from zero.
 */
public final class WeightQuantizer {
    /** Smallest channel range; keeps an all-zero channel from dividing by zero, as the graph does. */
    public static final float MIN_RANGE = QuantSpec.WEIGHT_MIN_RANGE;

    private WeightQuantizer() {
    }

    /**
     * Scale of every output channel: {@code max(max|w_c|, 1e-8) / qmax}. Weights are stored in C order with the
     * channel as the fastest-varying index for conv, dense ([..., out]) and depthwise ([kH, kW, C, 1]) alike,
     * so the channel of flat index {@code i} is {@code i % channels}.
     */
    public static float[] scales(LayerInfo layer, float[] weights, int bits) {
        return scales(layer, weights, bits, false);
    }

    /**
     * Per-output-channel scales, or, with {@code perTensor}, one scale {@code max(max|w|, 1e-8) / qmax} repeated for
     * every channel (so the integer file layout stays the same for both granularities).
     */
    public static float[] scales(LayerInfo layer, float[] weights, int bits, boolean perTensor) {
        int channels = layer.outChannels();
        if (perTensor) {
            float maxAbs = 0;
            for (float w : weights) {
                maxAbs = Math.max(maxAbs, Math.abs(w));
            }
            float[] scales = new float[channels];
            java.util.Arrays.fill(scales, Math.max(maxAbs, MIN_RANGE) / qmax(bits));
            return scales;
        }
        float[] maxAbs = new float[channels];
        for (int i = 0; i < weights.length; i++) {
            int c = i % channels;
            maxAbs[c] = Math.max(maxAbs[c], Math.abs(weights[i]));
        }
        float qmax = qmax(bits);
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = Math.max(maxAbs[c], MIN_RANGE) / qmax;
        }
        return scales;
    }

    /** Integer codes in [-qmax, qmax], same layout as the float weights. */
    public static byte[] codes(LayerInfo layer, float[] weights, float[] scales, int bits) {
        int channels = layer.outChannels();
        float qmax = qmax(bits);
        byte[] codes = new byte[weights.length];
        for (int i = 0; i < weights.length; i++) {
            float q = roundHalfAway(weights[i] / scales[i % channels]);
            codes[i] = (byte) Math.max(-qmax, Math.min(qmax, q));
        }
        return codes;
    }

    /** Quantize-dequantize, the values the fake-quantized graph computes with. */
    public static float[] fakeQuantize(LayerInfo layer, float[] weights, int bits) {
        return fakeQuantize(layer, weights, bits, false);
    }

    /** Quantize-dequantize at either granularity. */
    public static float[] fakeQuantize(LayerInfo layer, float[] weights, int bits, boolean perTensor) {
        float[] scales = scales(layer, weights, bits, perTensor);
        byte[] codes = codes(layer, weights, scales, bits);
        float[] out = new float[weights.length];
        for (int i = 0; i < weights.length; i++) {
            out[i] = codes[i] * scales[i % scales.length];
        }
        return out;
    }

    public static float qmax(int bits) {
        return QuantSpec.weightQmax(bits);
    }

    /** ND4J's round (C's {@code round}) breaks ties away from zero, unlike {@link Math#round}. */
    public static float roundHalfAway(float x) {
        // Math.round is exact half-up (no x + 0.5 double rounding), which is half-away on magnitudes.
        return Math.copySign((float) Math.round(Math.abs(x)), x);
    }
}
