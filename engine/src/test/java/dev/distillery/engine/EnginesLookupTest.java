package dev.distillery.engine;

import dev.distillery.core.engine.Engines;
import dev.distillery.engine.onnxruntime.OnnxRuntime;
import dev.distillery.engine.samediff.SameDiffEngine;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine module registers its engines where core's lookup finds them. */
class EnginesLookupTest {

    @Test
    void findsSameDiffAsTheNetworkEngineAndOnnxRuntimeByItsId() {
        assertThat(Engines.network()).isInstanceOf(SameDiffEngine.class);
        assertThat(Engines.network().id()).isEqualTo("samediff");
        assertThat(Engines.runtime("onnxruntime")).isInstanceOf(OnnxRuntime.class);
        assertThat(Engines.versions()).containsOnlyKeys("nd4j");
    }

    @Test
    void anUnknownRuntimeIsRefusedWithTheOnesPresent() {
        assertThatThrownBy(() -> Engines.runtime("tvm")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no inference runtime tvm").hasMessageContaining("[onnxruntime]");
    }
}
