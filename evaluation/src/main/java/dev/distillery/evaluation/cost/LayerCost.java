package dev.distillery.evaluation.cost;

import dev.distillery.evaluation.profile.Operator;

/**
 * Roofline cost of one layer: the time to do its MACs at the profile's throughput and the time to move its bytes at
 * the profile's bandwidth; the layer takes the larger of the two.
 *
 * @param weightBytes     the layer's weights, biases and scales as stored (dense)
 * @param bytesMoved      input and output activations plus {@code weightBytes}
 * @param energyPicojoules MACs times the per-MAC energy plus bytes moved times the per-byte energy
 */
public record LayerCost(int index, Operator op, long macs, long weightBytes, long bytesMoved, double computeSeconds,
                        double memorySeconds, double energyPicojoules) {

    public double latencySeconds() {
        return Math.max(computeSeconds, memorySeconds);
    }

    /** Whether moving bytes, not arithmetic, sets this layer's time. */
    public boolean memoryBound() {
        return memorySeconds > computeSeconds;
    }
}
