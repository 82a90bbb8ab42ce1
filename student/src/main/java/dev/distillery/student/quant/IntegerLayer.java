package dev.distillery.student.quant;

import java.util.Arrays;

/**
 * The integer parameters of one weighted layer: weight codes in the float layout of the architecture, int32
 * biases at scale {@code inputScale * weightScale[c]}, and, unless this is the final layer, the per-channel
 * fixed-point multipliers (see {@link FixedPoint}) that map the int32 accumulator to the next activation's codes.
 *
 * @param index        layer index in the architecture
 * @param weightBits   bit width of this layer's weight codes (0 when built before the model: the model's width)
 * @param weights      codes in [-qmax, qmax], C order as {@code LayerInfo.weightShape()}
 * @param bias         int32 bias per output channel
 * @param weightScale  per-output-channel weight scale
 * @param inputScale   scale of the activation codes this layer reads
 * @param outputScale  scale of the codes it writes; 0 for the final layer, whose accumulator becomes float logits
 * @param outputZeroPoint code of real 0 in the codes it writes (0 after a ReLU-ranged activation)
 * @param multiplier   per-channel Q31 multipliers of {@code inputScale * weightScale[c] / outputScale}; empty for
 *                     the final layer
 * @param shift        per-channel exponents matching {@code multiplier}; empty for the final layer
 */
public record IntegerLayer(int index, int weightBits, byte[] weights, int[] bias, float[] weightScale,
                           double inputScale, double outputScale, int outputZeroPoint, int[] multiplier, int[] shift) {

    public IntegerLayer {
        int channels = bias.length;
        if (weightBits != 0 && (weightBits < 2 || weightBits > 8)) {
            throw new IllegalArgumentException("layer " + index + " weight bits must be in [2, 8], was " + weightBits);
        }
        if (outputZeroPoint < 0) {
            throw new IllegalArgumentException("layer " + index + " output zero point must be >= 0, was "
                    + outputZeroPoint);
        }
        if (weightScale.length != channels) {
            throw new IllegalArgumentException("layer " + index + " has " + channels + " biases but "
                    + weightScale.length + " weight scales");
        }
        if (multiplier.length != shift.length || (multiplier.length != 0 && multiplier.length != channels)) {
            throw new IllegalArgumentException("layer " + index + " needs " + channels
                    + " multipliers and shifts (or none), has " + multiplier.length + " and " + shift.length);
        }
    }

    /** A layer whose weight width is the model's and whose output range starts at 0. */
    public IntegerLayer(int index, byte[] weights, int[] bias, float[] weightScale, double inputScale,
                        double outputScale, int[] multiplier, int[] shift) {
        this(index, 0, weights, bias, weightScale, inputScale, outputScale, 0, multiplier, shift);
    }

    /** The same layer with its weight width set. */
    public IntegerLayer withWeightBits(int bits) {
        return new IntegerLayer(index, bits, weights, bias, weightScale, inputScale, outputScale, outputZeroPoint,
                multiplier, shift);
    }

    public int channels() {
        return bias.length;
    }

    /** Whether the accumulator is requantized to activation codes (every weighted layer but the last). */
    public boolean requantized() {
        return multiplier.length > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IntegerLayer l && index == l.index && weightBits == l.weightBits
                && outputZeroPoint == l.outputZeroPoint && Arrays.equals(weights, l.weights)
                && Arrays.equals(bias, l.bias) && Arrays.equals(weightScale, l.weightScale)
                && Double.compare(inputScale, l.inputScale) == 0 && Double.compare(outputScale, l.outputScale) == 0
                && Arrays.equals(multiplier, l.multiplier) && Arrays.equals(shift, l.shift);
    }

    @Override
    public int hashCode() {
        int h = 31 * Integer.hashCode(index) + weightBits * 17 + outputZeroPoint;
        h = 31 * h + Arrays.hashCode(weights);
        h = 31 * h + Arrays.hashCode(bias);
        h = 31 * h + Arrays.hashCode(weightScale);
        h = 31 * h + Double.hashCode(inputScale);
        h = 31 * h + Double.hashCode(outputScale);
        h = 31 * h + Arrays.hashCode(multiplier);
        return 31 * h + Arrays.hashCode(shift);
    }

    @Override
    public String toString() {
        return "IntegerLayer[index=" + index + ", w" + weightBits + ", weights=" + weights.length + ", channels=" + channels()
                + ", inputScale=" + inputScale + ", outputScale=" + outputScale + "]";
    }
}
