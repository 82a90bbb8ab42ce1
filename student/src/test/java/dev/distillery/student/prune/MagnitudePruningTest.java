package dev.distillery.student.prune;

import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ParamInit;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MagnitudePruningTest {
    private static ModelArtifact model() {
        Architecture a = new Architecture("p", 1, 4, 4, 3, List.of(new LayerSpec.Conv2d(4, 3, 1), new LayerSpec.Relu(),
                new LayerSpec.Flatten(), new LayerSpec.Dense(3)));
        return new ModelArtifact("student", a, ParamInit.he(a, 1), Map.of(), null);
    }

    @Test
    void zeroesExactlyTheSmallestWeightsOfEveryLayer() {
        ModelArtifact m = model();
        ModelArtifact p = MagnitudePruning.prune(m, 0.75);
        // conv 36 weights -> 27 zeros; dense 192 -> 144 zeros
        assertThat(p.weightSparsity()).isEqualTo((27.0 + 144.0) / (36 + 192));
        float[] before = m.params().get("L0_w");
        float[] after = p.params().get("L0_w");
        float smallestKept = Float.MAX_VALUE;
        float largestRemoved = 0;
        for (int i = 0; i < before.length; i++) {
            if (after[i] == 0) {
                largestRemoved = Math.max(largestRemoved, Math.abs(before[i]));
            } else {
                smallestKept = Math.min(smallestKept, Math.abs(after[i]));
                assertThat(after[i]).isEqualTo(before[i]);
            }
        }
        assertThat(largestRemoved).isLessThanOrEqualTo(smallestKept);
        assertThat(p.params().get("L3_b")).isEqualTo(m.params().get("L3_b"));
    }

    @Test
    void masksKeepPrunedWeightsAtZeroAfterTraining() {
        ModelArtifact p = MagnitudePruning.prune(model(), 0.5);
        var masks = MagnitudePruning.masks(p);
        // fine-tuning moves every weight; the masks must put exactly the pruned positions back to zero
        ModelArtifact drifted = p.withParams(ParamInit.he(p.architecture(), 99));
        ModelArtifact remasked = MagnitudePruning.applyMasks(drifted, masks);
        float[] pruned = p.params().get("L3_w");
        float[] after = remasked.params().get("L3_w");
        for (int i = 0; i < pruned.length; i++) {
            assertThat(after[i] == 0f).as("weight %d", i).isEqualTo(pruned[i] == 0f);
        }
    }

    @Test
    void rejectsImpossibleSparsity() {
        assertThatThrownBy(() -> MagnitudePruning.prune(model(), 1.0))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("prune.sparsity");
    }
}
