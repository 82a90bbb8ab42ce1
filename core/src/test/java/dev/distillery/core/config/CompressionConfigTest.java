package dev.distillery.core.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.distillery.core.error.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Student, distillation and pruning settings: defaults and the impossible values refused before any work. */
class CompressionConfigTest {
    private static PipelineConfig config(String... sets) {
        return ConfigLoader.fromTree(JsonNodeFactory.instance.objectNode(), List.of(sets), "test");
    }

    private static void rejects(String set, String message) {
        assertThatThrownBy(() -> config(set)).as(set).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(message);
    }

    @Test
    void defaultsPruneGraduallyToHalfAndTrainOneTemperature() {
        PipelineConfig c = config();
        assertThat(c.prune().method()).isEqualTo("magnitude");
        assertThat(c.prune().gradual()).isTrue();
        assertThat(c.prune().sparsity()).isEqualTo(0.5);
        assertThat(c.distill().temperatures()).isEmpty();
        assertThat(c.student().repeatsOf(1)).isEqualTo(1);
    }

    @Test
    void extraTemperaturesLeaveOutTheMainOne() {
        PipelineConfig c = config("distill.temperature=4", "distill.temperatures=[2, 4, 8.5]");
        assertThat(c.distill().extraTemperatures()).containsExactly(2.0, 8.5);
    }

    @Test
    void rejectsImpossibleSparsitiesNamingTheField() {
        rejects("prune.sparsity=1.0", "prune.sparsity must be in [0.0, 1.0), was 1.0");
        rejects("prune.sparsity=-0.1", "prune.sparsity must be in [0.0, 1.0), was -0.1");
        rejects("prune.initial_sparsity=0.6", "prune.initial_sparsity must be <= prune.sparsity (0.5), was 0.6");
        rejects("prune.channel_fraction=1.0", "prune.channel_fraction must be in [0.0, 1.0), was 1.0");
        rejects("prune.method=random", "prune.method must be magnitude or channels, was random");
        rejects("prune.schedule=linear", "prune.schedule must be gradual or one-shot, was linear");
        rejects("prune.frequency=0", "prune.frequency must be > 0, was 0");
        rejects("prune.ramp_fraction=0", "prune.ramp_fraction must be > 0");
        rejects("prune.exclude=[stem, pointwise]",
                "prune.exclude must list layer kinds out of [stem, depthwise, classifier], has pointwise");
    }

    @Test
    void excludedLayerKindsDefaultToNone() {
        assertThat(config().prune().exclude()).isEmpty();
        assertThat(config("prune.exclude=[stem, depthwise]").prune().exclude()).containsExactly("stem", "depthwise");
    }

    @Test
    void rejectsInvalidTemperatureListsNamingTheEntry() {
        rejects("distill.temperatures=[2, 0]", "distill.temperatures[1] must be a number > 0, was 0.0");
        rejects("distill.temperatures=[-1]", "distill.temperatures[0] must be a number > 0, was -1.0");
        rejects("distill.temperatures=[2, 2]", "distill.temperatures lists 2.0 twice");
        rejects("distill.temperatures=[2, null]", "distill.temperatures[1] must be a number > 0, was null");
    }
}
