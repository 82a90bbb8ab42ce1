package dev.distillery.core.config;

import dev.distillery.core.error.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void mergesUserValuesOverDefaults() throws Exception {
        PipelineConfig c = ConfigLoader.load(write("name: t\ndistill:\n  temperature: 2.5\n"), List.of());
        assertThat(c.distill().temperature()).isEqualTo(2.5);
        assertThat(c.distill().alpha()).isEqualTo(0.7);
        assertThat(c.teacher().convFilters()).containsExactly(32, 64);
    }

    @Test
    void appliesSetOverridesAsYamlValues() throws Exception {
        PipelineConfig c = ConfigLoader.load(write("name: t\n"),
                List.of("teacher.epochs=3", "evaluation.profiles=[cortex-m7]", "evaluation.required_profiles=[cortex-m7]"));
        assertThat(c.teacher().epochs()).isEqualTo(3);
        assertThat(c.evaluation().profiles()).containsExactly("cortex-m7");
    }

    @Test
    void rejectsNegativeTemperatureNamingThePath() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(write("distill:\n  temperature: -1\n"), List.of()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("distill.temperature must be > 0, was -1.0");
    }

    @Test
    void rejectsAlphaOutsideUnitInterval() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(write("name: t\n"), List.of("distill.alpha=1.5")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("distill.alpha must be in [0.0, 1.0], was 1.5");
    }

    @Test
    void optimizerSyncDefaultsToEpochAndRejectsUnknownModes() throws Exception {
        assertThat(ConfigLoader.load(write("name: t\n"), List.of()).spark().syncOptimizerEveryRound()).isFalse();
        assertThat(ConfigLoader.load(write("name: t\n"), List.of("spark.optimizer_sync=round")).spark()
                .syncOptimizerEveryRound()).isTrue();
        assertThatThrownBy(() -> ConfigLoader.load(write("name: t\n"), List.of("spark.optimizer_sync=step")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("spark.optimizer_sync must be one of round, epoch, was step");
    }

    @Test
    void learningRateScalingFollowsTheWorkerCountAndRejectsUnknownRules() throws Exception {
        assertThat(ConfigLoader.load(write("name: t\n"), List.of()).spark().learningRateScale())
                .isCloseTo(Math.sqrt(2), within(1e-12));
        assertThat(ConfigLoader.load(write("name: t\n"), List.of("spark.lr_scaling=none")).spark()
                .learningRateScale()).isEqualTo(1.0);
        assertThat(ConfigLoader.load(write("name: t\n"), List.of("spark.lr_scaling=linear", "spark.workers=4"))
                .spark().learningRateScale()).isEqualTo(4.0);
        assertThat(ConfigLoader.load(write("name: t\n"), List.of("spark.lr_scaling=linear")).spark()
                .learningRateScale(1)).isEqualTo(1.0);
        assertThatThrownBy(() -> ConfigLoader.load(write("name: t\n"), List.of("spark.lr_scaling=cubic")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("spark.lr_scaling must be one of none, sqrt, linear, was cubic");
    }

    @Test
    void labelDefaultsKeepDenseFloat32LogitsOfOneView() throws Exception {
        PipelineConfig c = ConfigLoader.load(write("name: t\n"), List.of());
        assertThat(c.label().storage()).isEqualTo("dense-float32");
        assertThat(c.label().views()).isEqualTo(1);
        assertThat(c.label().teachers()).isEmpty();
    }

    @Test
    void rejectsInvalidLabelSettingsNamingThePath() throws Exception {
        Path f = write("name: t\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, List.of("label.storage=int4")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("label.storage must be one of [dense-float32, dense-float16, top-k], was int4");
        assertThatThrownBy(() -> ConfigLoader.load(f, List.of("label.top_k=0")))
                .hasMessageContaining("label.top_k must be > 0, was 0");
        assertThatThrownBy(() -> ConfigLoader.load(f, List.of("label.ensemble=median")))
                .hasMessageContaining("label.ensemble must be one of [mean-logits, mean-probabilities], was median");
        assertThatThrownBy(() -> ConfigLoader.load(f, List.of("label.augment.noise_std=-0.1")))
                .hasMessageContaining("label.augment.noise_std must be >= 0, was -0.1");
        assertThatThrownBy(() -> ConfigLoader.load(f, List.of("teacher.augment.shift_pixels=-1")))
                .hasMessageContaining("teacher.augment.shift_pixels must be >= 0, was -1");
        assertThatThrownBy(() -> ConfigLoader.load(f, List.of("teacher.source=onnx", "teacher.onnx.model=m.onnx",
                "teacher.augment.flip=true")))
                .hasMessageContaining("teacher.augment is set but the teacher is an ONNX model that train-teacher does "
                        + "not train");
        assertThatThrownBy(() -> ConfigLoader.load(f, List.of("label.views=5")))
                .hasMessageContaining("label.views is 5 but label.augment changes nothing");
    }

    @Test
    void rejectsUnknownKeysWithTheirPath() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(write("distill:\n  temprature: 3\n"), List.of()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("unknown key distill.temprature");
    }

    @Test
    void rejectsWrongValueTypes() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(write("teacher:\n  epochs: many\n"), List.of()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("teacher.epochs");
    }

    @Test
    void rejectsFullSparsityAndUnsupportedBits() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(write("name: t\n"), List.of("prune.sparsity=1.0")))
                .hasMessageContaining("prune.sparsity must be in [0.0, 1.0), was 1.0");
        assertThatThrownBy(() -> ConfigLoader.load(write("name: t\n"), List.of("qat.weight_bits=0")))
                .hasMessageContaining("qat.weight_bits must be 8 or 4, was 0");
    }

    @Test
    void rejectsGateForProfileNotEvaluated() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(write("name: t\n"), List.of("evaluation.required_profiles=[tpu]")))
                .hasMessageContaining("evaluation.required_profiles names profile tpu");
    }

    @Test
    void rejectsMissingFileAndMalformedOverride() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("none.yaml"), List.of()))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> ConfigLoader.load(write("name: t\n"), List.of("teacher.epochs")))
                .hasMessageContaining("--set expects key=value");
        assertThatThrownBy(() -> ConfigLoader.load(write("name: t\n"), List.of("nosuch.key=1")))
                .hasMessageContaining("unknown section nosuch");
    }

    @Test
    void sectionHashChangesOnlyWithItsSections() throws Exception {
        PipelineConfig a = ConfigLoader.load(write("name: t\n"), List.of());
        PipelineConfig b = ConfigLoader.load(write("name: t\n"), List.of("distill.temperature=9"));
        assertThat(a.hashOf("teacher")).isEqualTo(b.hashOf("teacher"));
        assertThat(a.hashOf("distill")).isNotEqualTo(b.hashOf("distill"));
    }
}
