package dev.distillery.jobs;

import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.testing.FashionMnist;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real standalone cluster (a Master and two Worker JVMs on 127.0.0.1, started by bin/spark-cluster from the
 * project's jars) runs prepare, train-teacher and label from the application jar through Spark's own
 * SparkSubmit, in client and in cluster deploy mode.
 */
class ClusterSubmitIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    @TempDir
    static Path state;
    @TempDir
    static Path runs;

    static Map<String, String> env() {
        return Map.of("DISTILLERY_CLUSTER_DIR", state.toString(), "DISTILLERY_MASTER_PORT", "17177",
                "DISTILLERY_MASTER_UI_PORT", "18180");
    }

    static Result script(Map<String, String> extraEnv, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("bin/spark-cluster").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env());
        pb.environment().putAll(extraEnv);
        Path log = Files.createTempFile(state, "cmd", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(8, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + cmd);
        }
        return new Result(p.exitValue(), Files.readString(log));
    }

    record Result(int code, String output) {
    }

    @BeforeAll
    static void startCluster() throws Exception {
        Result r = script(Map.of(), "start", "--workers", "2", "--cores", "1", "--memory", "3g");
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(r.output()).contains("worker-1 pid", "worker-2 pid", "running");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        Result r = script(Map.of(), "stop");
        assertThat(r.code()).isZero();
        assertThat(script(Map.of(), "status").output()).doesNotContain("running");
    }

    @ParameterizedTest
    @ValueSource(strings = {"client", "cluster"})
    void trainsTeacherAndLabelsOnTheStandaloneCluster(String mode) throws Exception {
        Path out = runs.resolve(mode);
        for (String stage : List.of("prepare", "train-teacher", "label")) {
            Result r = script(Map.of("DISTILLERY_DEPLOY_MODE", mode), "submit", stage,
                    "--config", REPO.resolve("conf/smoke.yaml").toString(), "--out", out.toString(),
                    "--set", "data.dir=" + FashionMnist.DIR);
            assertThat(r.code()).as(stage + " in " + mode + " mode:\n" + tail(r.output())).isZero();
            assertThat(ManifestIO.read(out.resolve(dir(stage)))).as(stage).isPresent();
        }
        assertThat(Files.exists(out.resolve("teacher/teacher.dmodel"))).isTrue();
        SparkSession spark = dev.distillery.core.testing.TestSpark.get();
        var labels = spark.read().parquet(out.resolve("soft-labels/labels").toString());
        // smoke.yaml uses the first 2,000 training images: one row each, none lost, none duplicated
        assertThat(labels.count()).isEqualTo(2000);
        assertThat(labels.select("id").distinct().count()).isEqualTo(2000);
        assertThat(Files.readString(state.resolve("logs/master.log"))).contains("Registering app");
    }

    private static String dir(String stage) {
        return switch (stage) {
            case "prepare" -> "prepared";
            case "train-teacher" -> "teacher";
            default -> "soft-labels";
        };
    }

    private static String tail(String s) throws IOException {
        String[] lines = s.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 30), lines.length));
    }
}
