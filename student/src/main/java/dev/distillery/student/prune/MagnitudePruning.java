package dev.distillery.student.prune;

import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.ModelArtifact;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Unstructured magnitude pruning: in every weighted layer, the given fraction of weights with the smallest
 * absolute value become zero (per layer, so that no layer is wiped out; a {@link SparsityAllocation} can keep
 * some layers dense and prune the others harder). Biases are kept.
 */
public final class MagnitudePruning {
    private MagnitudePruning() {
    }

    public static ModelArtifact prune(ModelArtifact model, double sparsity) {
        return prune(model, SparsityAllocation.uniform(model.architecture()), sparsity);
    }

    /** Prunes every layer to its share of the model-wide {@code sparsity} under {@code allocation}. */
    public static ModelArtifact prune(ModelArtifact model, SparsityAllocation allocation, double sparsity) {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new InvalidConfigException("prune.sparsity must be in [0, 1), was " + sparsity);
        }
        dev.distillery.core.model.BatchNormFolding.requireFolded(model.architecture(), "magnitude pruning");
        Map<String, float[]> params = model.copyParams();
        for (LayerInfo info : model.architecture().layerInfos()) {
            if (!info.spec().hasWeights()) {
                continue;
            }
            pruneInPlace(params.get(info.weightName()), allocation.layerSparsity(info.weightName(), sparsity));
        }
        return model.withParams(params);
    }

    /**
     * Zeroes the {@code floor(length * sparsity)} values of smallest magnitude (values already zero count among
     * them, so raising the sparsity step by step only ever adds zeros). Returns the number of zeros afterwards.
     */
    public static int pruneInPlace(float[] w, double sparsity) {
        int k = (int) Math.floor(w.length * sparsity);
        if (k > 0) {
            float[] mags = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                mags[i] = Math.abs(w[i]);
            }
            Arrays.sort(mags);
            float threshold = mags[k - 1];
            int removed = 0;
            // Zero strictly below the threshold first, then ties, so exactly k weights go even with equal magnitudes.
            for (int i = 0; i < w.length && removed < k; i++) {
                if (Math.abs(w[i]) < threshold) {
                    w[i] = 0f;
                    removed++;
                }
            }
            for (int i = 0; i < w.length && removed < k; i++) {
                if (w[i] != 0f && Math.abs(w[i]) == threshold) {
                    w[i] = 0f;
                    removed++;
                }
            }
        }
        int zeros = 0;
        for (float v : w) {
            if (v == 0f) {
                zeros++;
            }
        }
        return zeros;
    }

    /** 0/1 masks of the non-zero weights of every weighted layer, keyed by weight name. */
    public static Map<String, float[]> masks(ModelArtifact model) {
        dev.distillery.core.model.BatchNormFolding.requireFolded(model.architecture(), "magnitude pruning");
        Map<String, float[]> masks = new LinkedHashMap<>();
        for (LayerInfo info : model.architecture().layerInfos()) {
            if (!info.spec().hasWeights()) {
                continue;
            }
            float[] w = model.params().get(info.weightName());
            float[] m = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                m[i] = w[i] == 0f ? 0f : 1f;
            }
            masks.put(info.weightName(), m);
        }
        return masks;
    }

    /** Re-applies masks to trained parameters, so that stored pruned weights are exactly zero. */
    public static ModelArtifact applyMasks(ModelArtifact model, Map<String, float[]> masks) {
        Map<String, float[]> params = model.copyParams();
        masks.forEach((name, m) -> {
            float[] w = params.get(name);
            for (int i = 0; i < w.length; i++) {
                w[i] *= m[i];
            }
        });
        return model.withParams(params);
    }
}
