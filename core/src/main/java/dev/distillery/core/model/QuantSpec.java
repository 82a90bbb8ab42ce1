package dev.distillery.core.model;

import java.util.Map;
import java.util.TreeMap;

/**
 * Quantization settings a model was fine-tuned or calibrated with: bit widths, weight granularity and the
 * calibrated range of every quantized activation ("input" for the network input, "L{i}" for the output of
 * layer i).
 *
 * <p>Weights are symmetric (zero point 0), per output channel unless {@code perTensorWeights}. Activations are
 * asymmetric: a range [min, max] widened to contain 0 maps onto unsigned codes [0, qmax] with scale
 * {@code (max - min) / qmax} and zero point {@code round(-min / scale)}, so real 0 is exactly representable (SAME
 * padding and ReLU need it). A ReLU output has min 0 and therefore zero point 0. Missing minimums mean 0.
 *
 * @param depthwiseWeightBits bit width of depthwise convolution weights; 0 means {@code weightBits}
 */
public record QuantSpec(int weightBits, int activationBits, Map<String, Double> activationMax,
                        Map<String, Double> activationMin, boolean perTensorWeights, int depthwiseWeightBits)
        implements java.io.Serializable {

    /** Smallest activation range, which keeps a dead activation from dividing by zero. */
    public static final double MIN_RANGE = 1e-8;

    /**
     * Smallest weight range, in float as the integer converter computes its scales (the fake-quantized graph uses
     * the same value, so both round alike).
     */
    public static final float WEIGHT_MIN_RANGE = 1e-8f;

    @com.fasterxml.jackson.annotation.JsonCreator
    public QuantSpec {
        checkBits("weight", weightBits);
        checkBits("activation", activationBits);
        if (depthwiseWeightBits == 0) {
            depthwiseWeightBits = weightBits;
        }
        checkBits("depthwise weight", depthwiseWeightBits);
        activationMax = Map.copyOf(new TreeMap<>(activationMax));
        activationMin = activationMin == null ? Map.of() : Map.copyOf(new TreeMap<>(activationMin));
        for (String point : activationMin.keySet()) {
            if (!activationMax.containsKey(point)) {
                throw new IllegalArgumentException("activation " + point + " has a minimum but no maximum");
            }
        }
    }

    /** Per-channel weights, ReLU-style ranges starting at 0: the settings of a min-max calibrated QAT model. */
    public QuantSpec(int weightBits, int activationBits, Map<String, Double> activationMax) {
        this(weightBits, activationBits, activationMax, Map.of(), false, 0);
    }

    private static void checkBits(String what, int bits) {
        if (bits < 2 || bits > 8) {
            throw new IllegalArgumentException(what + " bits must be in [2, 8], was " + bits);
        }
    }

    /** The same settings with other activation ranges. */
    public QuantSpec withRanges(Map<String, Double> max, Map<String, Double> min) {
        return new QuantSpec(weightBits, activationBits, max, min, perTensorWeights, depthwiseWeightBits);
    }

    /** Bit width of one layer's weights. */
    public int weightBits(LayerInfo layer) {
        return layer.spec() instanceof LayerSpec.DepthwiseConv2d ? depthwiseWeightBits : weightBits;
    }

    /** Largest positive weight code, e.g. 127 for 8 bits (symmetric, -128 unused). */
    public int weightQmax() {
        return weightQmax(weightBits);
    }

    /** Largest positive weight code at {@code bits}: 127 for 8 bits, 7 for 4. */
    public static int weightQmax(int bits) {
        return (1 << (bits - 1)) - 1;
    }

    /** Largest unsigned activation code, e.g. 255 for 8 bits. */
    public int activationQmax() {
        return (1 << activationBits) - 1;
    }

    /** Lower end of the range of {@code point}, never above 0. */
    public double rangeMin(String point) {
        return Math.min(activationMin.getOrDefault(point, 0.0), 0.0);
    }

    /** Upper end of the range of {@code point}, never below 0. */
    public double rangeMax(String point) {
        Double max = activationMax.get(point);
        if (max == null) {
            throw new IllegalStateException("no calibrated range for activation " + point);
        }
        return Math.max(max, 0.0);
    }

    public double activationScale(String point) {
        return Math.max(rangeMax(point) - rangeMin(point), MIN_RANGE) / activationQmax();
    }

    /** The code of real 0; 0 for ranges that start at 0 (ReLU outputs, images in [0, 1]). */
    public int zeroPoint(String point) {
        double scale = activationScale(point);
        long zp = Math.round(-rangeMin(point) / scale);
        return (int) Math.max(0, Math.min(activationQmax(), zp));
    }
}
