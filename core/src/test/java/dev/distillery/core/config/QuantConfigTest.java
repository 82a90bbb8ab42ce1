package dev.distillery.core.config;

import dev.distillery.core.error.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** qat.* and ptq.* settings: defaults and every rejection naming its field before any training. */
class QuantConfigTest {
    @TempDir
    Path dir;

    private PipelineConfig load(String... overrides) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "name: t\n");
        return ConfigLoader.load(file, List.of(overrides));
    }

    @Test
    void defaultsCalibrateByMinMaxAndListSixPtqVariants() throws Exception {
        PipelineConfig c = load();

        assertThat(c.qat().calibration()).isEqualTo("minmax");
        assertThat(c.qat().depthwiseWeightBits()).isEqualTo(8);
        assertThat(c.qat().emaDecay()).isEqualTo(0.9);
        assertThat(c.ptq().methods()).containsExactly("minmax", "percentile", "entropy");
        assertThat(c.ptq().granularities()).containsExactly("per_channel", "per_tensor");
        assertThat(c.ptq().percentile()).isEqualTo(99.99);
        assertThat(c.ptq().rows(c.qat())).isEqualTo(2000);
        assertThat(load("ptq.calibration_rows=500").ptq().rows(c.qat())).isEqualTo(500);
    }

    @Test
    void rejectsZeroWeightBitsNamingTheField() throws Exception {
        assertThatThrownBy(() -> load("qat.weight_bits=0"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("qat.weight_bits must be 8 or 4, was 0")
                .hasMessageContaining("at least one bit");
    }

    @Test
    void rejectsUnsupportedWidthsOfWeightsActivationsAndPtq() throws Exception {
        assertThatThrownBy(() -> load("qat.weight_bits=6")).hasMessageContaining("qat.weight_bits must be 8 or 4, was 6");
        assertThatThrownBy(() -> load("qat.depthwise_weight_bits=2"))
                .hasMessageContaining("qat.depthwise_weight_bits must be 8 or 4, was 2");
        assertThatThrownBy(() -> load("qat.activation_bits=4")).hasMessageContaining("qat.activation_bits must be 8, was 4");
        assertThatThrownBy(() -> load("qat.activation_bits=0")).hasMessageContaining("qat.activation_bits must be 8, was 0");
        assertThatThrownBy(() -> load("ptq.weight_bits=16")).hasMessageContaining("ptq.weight_bits must be 8 or 4, was 16");
    }

    @Test
    void rejectsAnUnknownCalibrationMethodNamingTheFieldAndTheChoices() throws Exception {
        assertThatThrownBy(() -> load("qat.calibration=kl"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("qat.calibration given unknown calibration method \"kl\"")
                .hasMessageContaining("[minmax, percentile, entropy]");
        assertThatThrownBy(() -> load("ptq.methods=[minmax, mse]"))
                .hasMessageContaining("ptq.methods[1] given unknown calibration method \"mse\"");
    }

    @Test
    void rejectsUnknownGranularityPercentileOutOfRangeAndEmaDecayOfOne() throws Exception {
        assertThatThrownBy(() -> load("ptq.granularities=[per_row]"))
                .hasMessageContaining("ptq.granularities[0] given unknown granularity \"per_row\"");
        assertThatThrownBy(() -> load("ptq.percentile=100.5")).hasMessageContaining("ptq.percentile must be in");
        assertThatThrownBy(() -> load("ptq.percentile=0")).hasMessageContaining("ptq.percentile must be in");
        assertThatThrownBy(() -> load("qat.ema_decay=1.0")).hasMessageContaining("qat.ema_decay must be in [0.0, 1.0)");
    }

    @Test
    void rejectsAnEnabledPtqWithoutMethods() throws Exception {
        assertThatThrownBy(() -> load("ptq.methods=[]"))
                .hasMessageContaining("ptq.methods and ptq.granularities must each list at least one entry");
        assertThat(load("ptq.enabled=false", "ptq.methods=[]").ptq().enabled()).isFalse();
    }
}
