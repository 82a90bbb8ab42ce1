package dev.distillery.evaluation.cost;

import dev.distillery.evaluation.profile.Precision;

import java.util.List;
import java.util.OptionalDouble;

/**
 * What running one architecture at one precision on one hardware profile costs, and whether it fits and runs there.
 *
 * @param weightBytes          weights, biases and quantization scales at this precision, stored dense
 * @param sparseWeightBytes    the same with each layer's weights in the smaller of dense and bitmap encoding
 *                             (one bit per weight plus the non-zero codes); equals {@code weightBytes} when the
 *                             variant has no zero weights or its zeros are unknown
 * @param flashBytes           storage the model needs: the real file size when known, else {@code weightBytes}
 * @param peakActivationBytes  largest sum of live activation tensors over the execution order
 * @param peakLayer            index of the layer during which that peak occurs
 * @param ramBytes             RAM one inference needs: peak activations, plus weights on profiles that load them
 * @param layers               per-layer roofline costs; empty when the profile does not support the precision
 * @param latencySeconds       the profile's per-call overhead plus the sum of per-layer roofline times; empty
 *                             when the precision is unsupported
 * @param energyMicrojoules    MAC energy plus memory-traffic energy per inference; empty when unsupported
 * @param supported            the profile runs this precision and every operator of the architecture
 * @param reasons              one sentence per reason the variant does not run or fit; empty when it does
 */
public record CostEstimate(
        String architecture,
        String profileId,
        Precision precision,
        long params,
        long macs,
        long weightBytes,
        long sparseWeightBytes,
        long flashBytes,
        long peakActivationBytes,
        int peakLayer,
        long ramBytes,
        List<LayerCost> layers,
        OptionalDouble latencySeconds,
        OptionalDouble energyMicrojoules,
        boolean fitsRam,
        boolean fitsFlash,
        boolean supported,
        List<String> reasons) {

    public CostEstimate {
        layers = List.copyOf(layers);
        reasons = List.copyOf(reasons);
    }

    /** The same estimate marked unsupported for the given reasons (appended to its own); unchanged when none. */
    public CostEstimate unsupportedBecause(List<String> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<String> all = new java.util.ArrayList<>(reasons);
        all.addAll(more);
        return new CostEstimate(architecture, profileId, precision, params, macs, weightBytes, sparseWeightBytes,
                flashBytes, peakActivationBytes, peakLayer, ramBytes, layers, latencySeconds, energyMicrojoules,
                fitsRam, fitsFlash, false, all);
    }

    /** Supported and within both memory budgets: the variant can be deployed on this profile. */
    public boolean runs() {
        return supported && fitsRam && fitsFlash;
    }

    /** Latency in milliseconds, empty when it cannot be estimated. */
    public OptionalDouble latencyMillis() {
        return latencySeconds.isPresent() ? OptionalDouble.of(latencySeconds.getAsDouble() * 1e3) : OptionalDouble.empty();
    }
}
