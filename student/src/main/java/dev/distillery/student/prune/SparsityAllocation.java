package dev.distillery.student.prune;

import dev.distillery.core.config.PruneConfig;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a model-wide sparsity is spread over the layers. Excluded layers keep every weight; the others share the
 * target evenly, each pruned to {@code sparsity * allWeights / prunableWeights}, so that the fraction of zero
 * weights over the whole model is the target. Small layers that every output depends on (the stem convolution
 * with 9 weights per filter, depthwise convolutions with 9 per channel) lose far more accuracy per removed weight
 * than the wide pointwise and dense layers, which hold most of a separable CNN's weights; excluding them is what
 * makes high sparsity affordable.
 *
 * <p>Layer kinds that can be excluded: {@code stem} (the first weighted layer), {@code depthwise} (every
 * depthwise convolution), {@code classifier} (the last weighted layer).
 */
public final class SparsityAllocation {
    private final Map<String, Boolean> pruned = new LinkedHashMap<>();
    private final double scale;

    private SparsityAllocation(Architecture arch, Set<String> exclude) {
        List<LayerInfo> weighted = arch.layerInfos().stream().filter(i -> i.spec().hasWeights()).toList();
        long all = 0;
        long prunable = 0;
        for (int k = 0; k < weighted.size(); k++) {
            LayerInfo info = weighted.get(k);
            boolean excluded = (exclude.contains("stem") && k == 0)
                    || (exclude.contains("classifier") && k == weighted.size() - 1)
                    || (exclude.contains("depthwise") && info.spec() instanceof LayerSpec.DepthwiseConv2d);
            pruned.put(info.weightName(), !excluded);
            all += info.weightCount();
            prunable += excluded ? 0 : info.weightCount();
        }
        if (prunable == 0) {
            throw new InvalidConfigException("prune.exclude " + exclude + " leaves no layer of " + arch.name()
                    + " to prune");
        }
        this.scale = (double) all / prunable;
    }

    /**
     * The allocation of {@code target} (a fraction of all weights) over {@code arch}; rejects a target that the
     * layers left to prune cannot reach.
     */
    public static SparsityAllocation of(Architecture arch, List<String> exclude, double target) {
        for (String kind : exclude) {
            if (!PruneConfig.EXCLUDABLE.contains(kind)) {
                throw new InvalidConfigException("prune.exclude lists " + kind + "; the layer kinds are "
                        + PruneConfig.EXCLUDABLE);
            }
        }
        SparsityAllocation a = new SparsityAllocation(arch, Set.copyOf(exclude));
        double perLayer = target * a.scale;
        if (perLayer >= 1) {
            throw new InvalidConfigException(String.format(
                    "prune.sparsity %s of all weights of %s cannot be reached with prune.exclude %s: the layers left"
                            + " to prune hold %.1f%% of the weights, so the model-wide sparsity must stay below %.4f",
                    target, arch.name(), exclude, 100 / a.scale, 1 / a.scale));
        }
        return a;
    }

    /** Every weighted layer prunable at the same sparsity as the model. */
    public static SparsityAllocation uniform(Architecture arch) {
        return new SparsityAllocation(arch, Set.of());
    }

    /** The sparsity of the layer owning {@code weightName} when the model as a whole is at {@code modelSparsity}. */
    public double layerSparsity(String weightName, double modelSparsity) {
        Boolean p = pruned.get(weightName);
        if (p == null) {
            throw new IllegalArgumentException("no weighted layer " + weightName);
        }
        return p ? modelSparsity * scale : 0;
    }

    /** Whether the layer owning {@code weightName} is pruned at all. */
    public boolean prunes(String weightName) {
        return Boolean.TRUE.equals(pruned.get(weightName));
    }
}
