package dev.distillery.engine.samediff;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class NativeSettingsTest {

    /** Run in a fresh JVM without OMP_NUM_THREADS: prints the engine's thread limits before and after. */
    public static void main(String[] args) {
        var env = org.nd4j.linalg.factory.Nd4j.getEnvironment();
        System.out.println("before " + env.maxThreads() + " " + env.maxMasterThreads());
        NativeSettings.limitThreads();
        System.out.println("after " + env.maxThreads() + " " + env.maxMasterThreads());
    }

    @Test
    void withoutAnExplicitThreadCountTheEngineRunsOneThreadPerTask() throws IOException, InterruptedException {
        // the test JVMs run with OMP_NUM_THREADS=1 (pom.xml), so the automatic setting is checked in a child JVM
        // started without it, as a user's launch would be
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx512m", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
                "-cp", System.getProperty("java.class.path"), NativeSettingsTest.class.getName()))
                .redirectErrorStream(true);
        pb.environment().remove("OMP_NUM_THREADS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        List<String> lines = out.lines().filter(l -> l.startsWith("before ") || l.startsWith("after ")).toList();
        assertThat(lines).as(out).hasSize(2);
        int cores = Runtime.getRuntime().availableProcessors();
        // the engine starts with one thread per core; Distillery lowers the limit its parallel loops use (master
        // threads) to one per Spark task thread; the other limit cannot change after start-up
        assertThat(lines.get(0)).isEqualTo("before " + cores + " " + cores);
        assertThat(lines.get(1)).isEqualTo("after " + cores + " 1");
    }
}
