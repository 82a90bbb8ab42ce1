package dev.distillery.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.testing.FashionMnist;
import dev.distillery.jobs.cli.DistilleryCli;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Worker of a real standalone cluster is killed (SIGKILL of the Worker JVM and its executor, as when a machine
 * dies) while train-teacher and while label run on it: both stages still finish because Spark re-runs the lost
 * tasks on the surviving Worker, and label's output holds exactly one row per input row.
 */
class ExecutorFailureIT {
    static final Path REPO = ClusterSubmitIT.REPO;
    static final int UI_PORT = 14840;
    static final int ROWS = 24_000;
    @TempDir
    static Path state;
    @TempDir
    Path tmp;

    static Map<String, String> env() {
        return Map.of("DISTILLERY_CLUSTER_DIR", state.toString(), "DISTILLERY_MASTER_PORT", "17277",
                "DISTILLERY_MASTER_UI_PORT", "18280",
                "DISTILLERY_SPARK_CONF", "spark.ui.port=" + UI_PORT + " spark.port.maxRetries=0");
    }

    private static String script(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("bin/spark-cluster").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("bin/spark-cluster %s", args[0]).isTrue();
        assertThat(p.exitValue()).as("bin/spark-cluster %s:%n%s", String.join(" ", args), out).isZero();
        return out;
    }

    private static void startCluster() throws Exception {
        assertThat(script("start", "--workers", "2", "--cores", "1", "--memory", "3g"))
                .contains("worker-1 pid", "worker-2 pid");
    }

    @AfterEach
    void stopCluster() throws Exception {
        script("stop");
    }

    /** A client-mode submit whose output is read line by line; {@code killWhen} is checked on each line. */
    private static Submitted submit(Path out, String stage, Predicate<String> killAfterLine) throws Exception {
        List<String> cmd = List.of(REPO.resolve("bin/spark-cluster").toString(), "submit", stage,
                "--config", REPO.resolve("conf/smoke.yaml").toString(), "--out", out.toString(),
                "--set", "data.dir=" + FashionMnist.DIR, "--set", "data.train_limit=" + ROWS,
                "--set", "teacher.conv_filters=[32,64]", "--set", "teacher.dense_units=128");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env());
        Process p = pb.start();
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicReference<String> killed = new AtomicReference<>();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                    if (killAfterLine != null && killed.get() == null && killAfterLine.test(line)) {
                        killed.set(script("kill-worker", "2"));
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return new Submitted(p, lines, killed, reader);
    }

    record Submitted(Process process, List<String> lines, AtomicReference<String> killed, CompletableFuture<Void> reader) {
        int await() throws Exception {
            assertThat(process.waitFor(10, TimeUnit.MINUTES)).as("stage finished").isTrue();
            reader.get(1, TimeUnit.MINUTES);
            return process.exitValue();
        }

        String output() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }

    @Test
    void stagesFinishWhenAWorkerDiesMidStage() throws Exception {
        Path out = tmp.resolve("run");
        assertThat(DistilleryCli.execute("prepare", "--config", REPO.resolve("conf/smoke.yaml").toString(),
                "--out", out.toString(), "--master", "local[2]", "--set", "data.dir=" + FashionMnist.DIR,
                "--set", "data.train_limit=" + ROWS)).isZero();

        // training: worker-2 dies right after the first of two epochs; its shard is rebuilt from lineage on worker-1
        startCluster();
        Submitted training = submit(out, "train-teacher", line -> line.contains("epoch  1/2"));
        int code = training.await();
        assertThat(code).as(training.output()).isZero();
        assertThat(training.killed().get()).as("worker-2 was killed during training").startsWith("killed worker-2");
        assertThat(training.output()).as("the driver saw the executor go").containsPattern("Lost (executor|task)");
        assertThat(training.output()).contains("epoch  2/2");
        Object accuracy = ManifestIO.read(out.resolve("teacher")).orElseThrow().metrics()
                .get("teacher_validation_accuracy");
        // two epochs of this CNN on 21,600 images reach about 0.85-0.88; a broken average would be near chance (0.1)
        assertThat(((Number) accuracy).doubleValue()).isGreaterThan(0.75);
        stopCluster();

        // label: worker-2 dies while both executors run label tasks
        startCluster();
        Submitted label = submit(out, "label", null);
        String kill = killWhileBothExecutorsRun(label, "label");
        int labelCode = label.await();
        assertThat(labelCode).as(label.output()).isZero();
        assertThat(kill).startsWith("killed worker-2");
        assertThat(label.output()).as("the driver saw the executor go").containsPattern("Lost (executor|task)");

        SparkSession spark = dev.distillery.core.testing.TestSpark.get();
        Dataset<Row> input = spark.read().parquet(out.resolve("prepared/examples").toString())
                .where(col("split").notEqual("test"));
        Dataset<Row> labels = spark.read().parquet(out.resolve("soft-labels/labels").toString());
        long expected = input.count();
        assertThat(expected).isEqualTo(ROWS);
        assertThat(labels.count()).as("one row per input row, none duplicated").isEqualTo(expected);
        assertThat(labels.select("id").distinct().count()).isEqualTo(expected);
        assertThat(input.select("id").except(labels.select("id")).count()).as("no input row lost").isZero();
    }

    /**
     * Polls the driver's REST API until a running job of the given stage has tasks on both executors, then kills
     * worker-2, so the kill is known to interrupt running tasks of that stage.
     */
    private static String killWhileBothExecutorsRun(Submitted run, String stage) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        ObjectMapper json = new ObjectMapper();
        String base = "http://127.0.0.1:" + UI_PORT + "/api/v1/applications";
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline && run.process().isAlive()) {
            try {
                JsonNode apps = get(http, json, base);
                if (apps != null && apps.size() > 0) {
                    String app = base + "/" + apps.get(0).get("id").asText();
                    JsonNode jobs = get(http, json, app + "/jobs?status=running");
                    boolean stageRunning = false;
                    for (JsonNode job : jobs == null ? json.createArrayNode() : jobs) {
                        stageRunning |= stage.equals(job.path("jobGroup").asText());
                    }
                    if (stageRunning) {
                        int busy = 0;
                        JsonNode executors = get(http, json, app + "/executors");
                        for (JsonNode e : executors == null ? json.createArrayNode() : executors) {
                            if (!"driver".equals(e.get("id").asText()) && e.path("activeTasks").asInt() > 0) {
                                busy++;
                            }
                        }
                        if (busy >= 2) {
                            return script("kill-worker", "2");
                        }
                    }
                }
            } catch (java.io.IOException notUpYet) {
                // the driver's UI starts a few seconds after submit
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no moment with " + stage + " tasks on both executors was seen; output:\n"
                + run.output());
    }

    private static JsonNode get(HttpClient http, ObjectMapper json, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? json.readTree(r.body()) : null;
    }
}
