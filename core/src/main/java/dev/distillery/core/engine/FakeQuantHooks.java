package dev.distillery.core.engine;

import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.QuantSpec;

import java.util.TreeMap;

/**
 * Quantization-aware training: the graph computes with quantize-dequantized weights, biases and activations while
 * gradients reach the float parameters through a straight-through estimator.
 *
 * <p>Weights are quantized symmetrically, per output channel (or per tensor) from their current values on every
 * step, so the ranges follow training. Activations use the asymmetric ranges of the {@link QuantSpec}, fixed while
 * a graph lives (the QAT stage moves them between epochs, see {@code ActivationRanges}); points without a range
 * stay float. Biases become what the integer model stores: an int32 at {@code inputScale * weightScale[c]}.
 */
public final class FakeQuantHooks implements GraphHooks {
    private static final long serialVersionUID = 2L;

    // Primitive copies rather than the QuantSpec record itself: hooks travel inside Spark closures.
    private final int weightBits;
    private final int depthwiseWeightBits;
    private final int activationBits;
    private final boolean perTensorWeights;
    private final TreeMap<String, Double> activationMax;
    private final TreeMap<String, Double> activationMin;

    public FakeQuantHooks(QuantSpec spec) {
        this.weightBits = spec.weightBits();
        this.depthwiseWeightBits = spec.depthwiseWeightBits();
        this.activationBits = spec.activationBits();
        this.perTensorWeights = spec.perTensorWeights();
        this.activationMax = new TreeMap<>(spec.activationMax());
        this.activationMin = new TreeMap<>(spec.activationMin());
    }

    public QuantSpec spec() {
        return new QuantSpec(weightBits, activationBits, activationMax, activationMin, perTensorWeights,
                depthwiseWeightBits);
    }

    /** Bit width of {@code layer}'s weights. */
    public int bits(LayerInfo layer) {
        return layer.spec() instanceof LayerSpec.DepthwiseConv2d ? depthwiseWeightBits : weightBits;
    }

    /** Whether one scale covers a whole weight tensor (else one per output channel). */
    public boolean perTensorWeights() {
        return perTensorWeights;
    }

    /** Whether activation {@code point} ("input" or "L{i}") is quantized. */
    public boolean quantizes(String point) {
        return activationMax.containsKey(point);
    }

    /**
     * The quantized activation a weighted layer reads: the last quantized ReLU before it, else the input; null when
     * that input stays float (its bias then stays float too).
     */
    public String inputPoint(int layerIndex) {
        int best = -1;
        for (String point : activationMax.keySet()) {
            if (point.startsWith("L")) {
                int j = Integer.parseInt(point.substring(1));
                if (j < layerIndex && j > best) {
                    best = j;
                }
            }
        }
        if (best >= 0) {
            return "L" + best;
        }
        return activationMax.containsKey("input") ? "input" : null;
    }

    @Override
    public String toString() {
        return "FakeQuantHooks[w" + weightBits + (depthwiseWeightBits != weightBits ? "/dw" + depthwiseWeightBits : "")
                + "a" + activationBits + (perTensorWeights ? " per-tensor" : "") + ", points=" + activationMax.keySet()
                + "]";
    }
}
