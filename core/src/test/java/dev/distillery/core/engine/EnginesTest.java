package dev.distillery.core.engine;

import dev.distillery.core.manifest.Provenance;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Core alone carries no engine: its classpath is what the Airflow client and other engine-free code get. */
class EnginesTest {

    @Test
    void coreClasspathHoldsNoNativeEngine() {
        for (String name : new String[]{"org.nd4j.linalg.factory.Nd4j", "org.deeplearning4j.nn.conf.NeuralNetConfiguration",
                "org.bytedeco.javacpp.Loader", "ai.onnxruntime.OrtEnvironment"}) {
            assertThatThrownBy(() -> Class.forName(name)).as(name).isInstanceOf(ClassNotFoundException.class);
        }
    }

    @Test
    void askingForAnEngineWithoutOneNamesTheMissingModule() {
        assertThatThrownBy(Engines::network).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no network engine on the classpath")
                .hasMessageContaining("distillery-engine");
        assertThatThrownBy(() -> Engines.runtime("onnxruntime")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no inference runtime onnxruntime").hasMessageContaining("found none");
    }

    @Test
    void engineFreeProgramsPrepareNothingAndRecordNoEngineVersion() {
        Engines.prepareJvm();
        assertThat(Engines.versions()).isEmpty();
        assertThat(Provenance.versions()).containsKeys("distillery", "java", "spark").doesNotContainKey("nd4j");
    }

    @Test
    void descriptionsSurviveJavaSerialization() throws Exception {
        GraphHooks hooks = GraphHooks.chain(new SparsityLockHooks(), new PruneMaskHooks(java.util.Map.of("L0_w",
                new float[]{0f, 1f})));
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(hooks);
            out.writeObject(new DistillationObjective(4.0, 0.7));
            out.writeObject(new CosineSchedule(0.01, 10, 100, 0.02));
        }
        try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            ChainedHooks back = (ChainedHooks) in.readObject();
            assertThat(back.first()).isEqualTo(new SparsityLockHooks());
            assertThat(((PruneMaskHooks) back.second()).masks().get("L0_w")).containsExactly(0f, 1f);
            assertThat(in.readObject()).isEqualTo(new DistillationObjective(4.0, 0.7));
            assertThat(((LearningRate) in.readObject()).valueAt(9, 0)).isEqualTo(0.01);
        }
    }
}
