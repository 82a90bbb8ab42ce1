package dev.distillery.airflow;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Airflow client runs where no native engine is installed: its classpath carries none. */
class ClasspathTest {

    @Test
    void carriesNoNativeEngine() {
        for (String name : new String[]{"org.nd4j.linalg.factory.Nd4j", "org.bytedeco.javacpp.Loader",
                "ai.onnxruntime.OrtEnvironment", "dev.distillery.engine.samediff.SameDiffEngine"}) {
            assertThatThrownBy(() -> Class.forName(name)).as(name).isInstanceOf(ClassNotFoundException.class);
        }
    }
}
