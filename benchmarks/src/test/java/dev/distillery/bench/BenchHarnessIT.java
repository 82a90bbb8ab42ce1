package dev.distillery.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Smoke-runs the benchmark harness ({@code bench/run.sh smoke}: 600 images, one epoch, one JMH iteration each) into
 * a temporary file, so that the harness, its Java drivers, the JMH benchmarks and the PyTorch peer keep working.
 * The figures of a smoke run mean nothing; the test checks that every section was measured and rendered.
 */
class BenchHarnessIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void smokeRunWritesEverySectionWithMeasuredFigures() throws Exception {
        Path out = tmp.resolve("benchmarks.md");
        Result r = run(List.of("bash", "bench/run.sh", "smoke", out.toString()), 900);
        assertThat(r.code).as("bench/run.sh smoke:%n%s", r.log).isZero();
        String doc = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(doc).contains("# Benchmarks", "## Machine", "## Commands", "## Compute ceiling: float GEMM",
                "## Distillery's pipeline", "## Against PyTorch", "## Where the time goes", "## One training step, op by op", "## Kernels (JMH)",
                "## Inference latency: fp32 against int8", "## Quantization and pruning", "benchmarks-notes.md");
        // a GEMM row with a positive rate
        assertThat(positive(doc, "^\\| 256 x 256 \\| ([0-9.]+) \\|")).isTrue();
        // all four pipeline stages measured
        for (String stage : List.of("prepare", "train-teacher", "label", "distill")) {
            assertThat(doc).containsPattern("(?m)^\\| " + stage + " \\| [0-9.]+ \\| [0-9.]+ GiB \\| [0-9.]+ GiB");
        }
        // the comparisons carry a ratio, the training rows both accuracies and a verdict against 0.6x PyTorch
        assertThat(doc).containsPattern("(?m)^\\| teacher training, samples/s \\| \\d+ \\| \\d+ \\| \\d+\\.\\d\\dx \\| "
                + "\\d+\\.\\d\\d% \\| \\d+\\.\\d\\d% \\| 0\\.6x PyTorch: (met|\\*\\*not met)");
        // both students of the distill stage (the peer trains the baseline too), then the KD student alone
        assertThat(doc).containsPattern("(?m)^\\| distill stage, both students, samples/s \\(accuracies: KD; baseline "
                + "\\d+\\.\\d\\d% and \\d+\\.\\d\\d%\\) \\| \\d+ \\| \\d+ \\| \\d+\\.\\d\\dx \\| \\d+\\.\\d\\d% \\| "
                + "\\d+\\.\\d\\d% \\| 0\\.6x PyTorch:");
        assertThat(doc).containsPattern("(?m)^\\| student distillation, samples/s \\(the KD student alone\\) \\| \\d+ \\| "
                + "\\d+ \\| \\d+\\.\\d\\dx \\| \\d+\\.\\d\\d% \\| \\d+\\.\\d\\d% \\|");
        assertThat(doc).containsPattern("(?m)^\\| soft labels, rows/s \\(label stage.*\\| \\d+\\.\\d\\dx \\|");
        assertThat(doc).containsPattern("(?m)^\\| soft labels, rows/s \\(plain.*\\| \\d+\\.\\d\\dx \\|");
        // the op-by-op step profile: both engines' step times and a ratio for each model, the convolution's
        // gradient among SameDiff's ops and the step's time outside the ops
        for (String model : List.of("teacher", "student")) {
            assertThat(doc).containsPattern("(?m)^- " + model + ": Distillery [0-9.]+ ms per step \\([0-9.]+ ms inside "
                    + "ops\\), PyTorch [0-9.]+ ms .*: Distillery/PyTorch speed [0-9.]+x"
                    + "(; the engine's ops alone take longer than PyTorch's whole step)?\\.$");
        }
        assertThat(doc).containsPattern("(?m)^\\| `conv2d_bp` \\| [0-9.]+ \\| 2 \\|");
        assertThat(doc).containsPattern("(?m)^\\| `\\(outside ops\\)` \\| -?[0-9.]+ \\|");
        // every integer kernel beside its float transcription, and the training-step benchmarks
        assertThat(doc).containsPattern("(?m)^\\| teacher 3x3 conv, 32->64, 14x14 \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+x \\|");
        assertThat(doc).containsPattern("(?m)^\\| student dense 3136->10 \\| [0-9.]+ \\|");
        assertThat(doc).contains("TrainingStepBenchmark.step | fake-quant, distillation");
        assertThat(doc).contains("LossBenchmark.graphValueAndGradient | distillation");
    }

    @Test
    void rejectsAnUnknownModeWithUsageAndExitCode2() throws Exception {
        Path out = tmp.resolve("benchmarks.md");
        Result r = run(List.of("bash", "bench/run.sh", "fast", out.toString()), 60);
        assertThat(r.code).isEqualTo(2);
        assertThat(r.log).contains("usage: bench/run.sh quick|full|smoke");
        assertThat(out).doesNotExist();
    }

    @Test
    void rejectsAMissingDataFolderBeforeMeasuringAnything() throws Exception {
        Path out = tmp.resolve("benchmarks.md");
        Result r = run(List.of("env", "DISTILLERY_FASHION_MNIST=" + tmp.resolve("nowhere"), "bash", "bench/run.sh",
                "smoke", out.toString()), 60);
        assertThat(r.code).isEqualTo(2);
        assertThat(r.log).contains("train-images-idx3-ubyte(.gz) not found", "DISTILLERY_FASHION_MNIST");
        assertThat(out).doesNotExist();
    }

    private static boolean positive(String doc, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(doc);
        return m.find() && Double.parseDouble(m.group(1)) > 0;
    }

    private record Result(int code, String log) {
    }

    private Result run(List<String> command, int timeoutSeconds) throws Exception {
        Path log = tmp.resolve("run.log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("DISTILLERY_BENCH_WORK", tmp.resolve("work").toString());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("bench/run.sh did not finish in " + timeoutSeconds + " s:\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
