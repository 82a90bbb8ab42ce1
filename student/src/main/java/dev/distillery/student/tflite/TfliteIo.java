package dev.distillery.student.tflite;

import dev.distillery.student.quant.WeightQuantizer;

import java.util.List;

/**
 * The boundary of an exported TFLite model: a uint8 NHWC input image (batch 1) with the integer model's own input
 * scale and zero point, and a uint8 vector of logits whose scale and zero point the exporter chose.
 *
 * @param input       quantization of the input codes (the integer model's {@code inputScale}, {@code inputZeroPoint})
 * @param output      quantization of the output codes
 * @param inputShape  [1, height, width, channels]
 * @param outputShape [1, classes]
 * @param outputRelu  whether a ReLU after the final layer is fused into it (the output then never goes below 0)
 */
public record TfliteIo(TensorQuantization input, TensorQuantization output, List<Integer> inputShape,
                       List<Integer> outputShape, boolean outputRelu) {

    public TfliteIo {
        inputShape = List.copyOf(inputShape);
        outputShape = List.copyOf(outputShape);
    }

    public int inputSize() {
        return inputShape.stream().mapToInt(Integer::intValue).reduce(1, (a, b) -> a * b);
    }

    public int outputSize() {
        return outputShape.stream().mapToInt(Integer::intValue).reduce(1, (a, b) -> a * b);
    }

    /**
     * The input bytes of one image given as Distillery gives it to the integer runtime, a channel-major [C, H, W]
     * row of floats: quantized exactly as {@code IntegerRuntime} quantizes it (float32 division, ties away from
     * zero, clamped to [0, 255]) and laid out as the model's [H, W, C].
     */
    public byte[] inputCodes(float[] chw) {
        int h = inputShape.get(1);
        int w = inputShape.get(2);
        int c = inputShape.get(3);
        if (chw.length != h * w * c) {
            throw new IllegalArgumentException("expected " + (h * w * c) + " input values, got " + chw.length);
        }
        byte[] out = new byte[chw.length];
        float scale = input.scale();
        for (int ch = 0; ch < c; ch++) {
            for (int p = 0; p < h * w; p++) {
                int q = (int) WeightQuantizer.roundHalfAway(chw[ch * h * w + p] / scale) + input.zeroPoint();
                out[p * c + ch] = (byte) Math.max(0, Math.min(q, 255));
            }
        }
        return out;
    }

    /** Real values of one row of output codes. */
    public float[] dequantize(byte[] codes, int offset) {
        float[] out = new float[outputSize()];
        for (int i = 0; i < out.length; i++) {
            out[i] = output.dequantize(codes[offset + i] & 0xff);
        }
        return out;
    }
}
