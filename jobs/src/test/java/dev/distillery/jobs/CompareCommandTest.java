package dev.distillery.jobs;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.evaluation.metrics.ClassificationMetrics;
import dev.distillery.evaluation.profile.Precision;
import dev.distillery.evaluation.profile.ProfileLoader;
import dev.distillery.evaluation.report.ReportBuilder;
import dev.distillery.evaluation.report.ReportWriter;
import dev.distillery.evaluation.report.Variant;
import dev.distillery.jobs.cli.DistilleryCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code distillery compare} on two evaluated run folders, and its refusal of a folder never evaluated. */
class CompareCommandTest {
    private static final Path PROFILES = Path.of("..", "conf", "profiles");
    private static final Architecture MLP = new Architecture("mlp", 1, 8, 8, 10, List.of(new LayerSpec.Flatten(),
            new LayerSpec.Dense(32), new LayerSpec.Relu(), new LayerSpec.Dense(10)));

    @TempDir
    Path tmp;

    @Test
    void comparesTwoRunsAndWritesTheComparison() throws Exception {
        writeRun("fm-t4", 9, Map.of());
        writeRun("fm-t8", 7, Map.of("cortex-m7", 0.8));
        Path out = tmp.resolve("t4-vs-t8");

        Result r = cli("compare", tmp.resolve("fm-t4").toString(), tmp.resolve("fm-t8").toString(),
                "--out", out.toString());

        assertThat(r.code).isZero();
        assertThat(r.out).contains("| student | 90.00 % | 70.00 % |", "-20.00 pt", "## `cortex-m7`",
                "| *recommended* | student | none passes |");
        assertThat(out.resolve("comparison.md")).isNotEmptyFile();
        assertThat(Files.readString(out.resolve("comparison.json"))).contains("\"label\" : \"fm-t8\"");
    }

    @Test
    void refusesAFolderWithoutAReportWithExitTwo() throws Exception {
        writeRun("fm-t4", 9, Map.of());
        Path never = Files.createDirectories(tmp.resolve("not-evaluated"));

        Result r = cli("compare", tmp.resolve("fm-t4").toString(), never.toString());

        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("no evaluation report in " + never);
    }

    private void writeRun(String name, int correct, Map<String, Double> minAccuracy) {
        int[] labels = new int[10];
        int[] predictions = new int[10];
        for (int i = 0; i < 10; i++) {
            labels[i] = i;
            predictions[i] = i < correct ? i : (i + 1) % 10;
        }
        Variant student = Variant.of("student", Variant.STUDENT_KD, Precision.FP32, MLP,
                ClassificationMetrics.of(labels, predictions, 10), 12_000, 0, null);
        ReportWriter.write(new ReportBuilder(name).profiles(ProfileLoader.loadAll(PROFILES,
                        List.of("cortex-m7", "x86-avx2-host"))).minAccuracy(minAccuracy).variant(student).build(),
                tmp.resolve(name).resolve("reports"));
    }

    private record Result(int code, String out, String err) {
    }

    private static Result cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = DistilleryCli.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
