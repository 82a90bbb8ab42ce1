package dev.distillery.core.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;

class NativeSettingsTest {

    @Test
    void engineThreadLimitsAreLoweredJvmWide() {
        var env = Nd4j.getEnvironment();
        int threads = env.maxThreads();
        int master = env.maxMasterThreads();
        try {
            NativeSettings.limitEngineThreads(1);
            assertThat(env.maxThreads()).isEqualTo(1);
            assertThat(env.maxMasterThreads()).isEqualTo(1);
            NativeSettings.limitEngineThreads(2);
            assertThat(env.maxThreads()).isEqualTo(2);
            assertThat(env.maxMasterThreads()).isEqualTo(2);
        } finally {
            env.setMaxThreads(threads);
            env.setMaxMasterThreads(master);
        }
    }
}
