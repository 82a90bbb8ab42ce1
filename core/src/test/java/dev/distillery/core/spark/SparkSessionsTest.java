package dev.distillery.core.spark;

import dev.distillery.core.engine.NativeAllocator;
import dev.distillery.core.testing.TestSpark;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SparkSessionsTest {
    @Test
    void executorsGetTheEngineEnvironment() {
        SparkConf conf = TestSpark.get().sparkContext().getConf();
        assertThat(conf.get("spark.executorEnv.OMP_NUM_THREADS")).isEqualTo("1");
        NativeAllocator.ENVIRONMENT.forEach((name, value) ->
                assertThat(conf.get("spark.executorEnv." + name)).as(name).isEqualTo(value));
        assertThat(conf.get("spark.executor.extraJavaOptions")).contains(SparkSessions.NATIVE_JAVA_OPTIONS);
    }

    @Test
    void theTestJvmRunsWithTheAllocatorSettings() {
        assertThat(NativeAllocator.missing()).as("pom.xml's surefire environmentVariables").isEmpty();
    }
}
