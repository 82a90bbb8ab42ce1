package dev.distillery.jobs;

import dev.distillery.core.engine.NativeAllocator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every launch path gives the engine's processes the C allocator settings of {@link NativeAllocator} and its
 * young-generation bound: glibc reads the first once at process start and the JVM the second, so a launcher that
 * forgets one silently runs every training step slower
 * ({@code SparkSessionsTest} checks the executors' conf and the test JVM's own environment).
 */
class NativeAllocatorLaunchTest {
    @Test
    void launchersAndBuildCarryTheSameValues() throws IOException {
        for (String file : List.of("bin/distillery", "bin/spark-cluster", "bench/common.sh", "pom.xml",
                "airflow/dags/distillery_common.py", "docs/cluster.md")) {
            String text = Files.readString(DocumentationLinksTest.REPO.resolve(file));
            NativeAllocator.ENVIRONMENT.forEach((name, value) -> assertThat(text)
                    .as("%s sets %s=%s", file, name, value)
                    .containsPattern(java.util.regex.Pattern.quote(name) + "[^\\n]{0,12}?" + value));
            assertThat(text).as("%s passes %s", file, NativeAllocator.YOUNG_GENERATION_OPTION)
                    .contains(NativeAllocator.YOUNG_GENERATION_OPTION);
        }
    }
}
