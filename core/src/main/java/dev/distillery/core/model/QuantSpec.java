package dev.distillery.core.model;

import java.util.Map;
import java.util.TreeMap;

/**
 * Quantization settings a model was fine-tuned with: weight and activation bit widths and the calibrated
 * upper bound of every quantized activation ("input" for the network input, "L{i}" for the output of layer i).
 * Activations that are quantized are non-negative (network input and ReLU outputs), so their zero point is 0.
 */
public record QuantSpec(int weightBits, int activationBits, Map<String, Double> activationMax)
        implements java.io.Serializable {

    public QuantSpec {
        if (weightBits < 2 || weightBits > 8) {
            throw new IllegalArgumentException("weight bits must be in [2, 8], was " + weightBits);
        }
        if (activationBits < 2 || activationBits > 8) {
            throw new IllegalArgumentException("activation bits must be in [2, 8], was " + activationBits);
        }
        activationMax = Map.copyOf(new TreeMap<>(activationMax));
    }

    /** Largest positive weight code, e.g. 127 for 8 bits (symmetric, -128 unused). */
    public int weightQmax() {
        return (1 << (weightBits - 1)) - 1;
    }

    /** Largest unsigned activation code, e.g. 255 for 8 bits. */
    public int activationQmax() {
        return (1 << activationBits) - 1;
    }

    public double activationScale(String point) {
        Double max = activationMax.get(point);
        if (max == null) {
            throw new IllegalStateException("no calibrated range for activation " + point);
        }
        return Math.max(max, 1e-8) / activationQmax();
    }
}
