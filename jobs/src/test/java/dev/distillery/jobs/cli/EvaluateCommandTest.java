package dev.distillery.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.evaluation.metrics.ClassificationMetrics;
import dev.distillery.evaluation.profile.Precision;
import dev.distillery.evaluation.profile.ProfileLoader;
import dev.distillery.evaluation.report.ReportBuilder;
import dev.distillery.evaluation.report.ReportWriter;
import dev.distillery.evaluation.report.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code distillery evaluate --compare}: the comparison written into the evaluated run's reports folder (on real
 * report.json files written by ReportWriter), and the refusal of a folder never evaluated before any work starts.
 */
class EvaluateCommandTest {
    private static final Path PROFILES = Path.of("..", "conf", "profiles");
    private static final Architecture MLP = new Architecture("mlp", 1, 8, 8, 10, List.of(new LayerSpec.Flatten(),
            new LayerSpec.Dense(32), new LayerSpec.Relu(), new LayerSpec.Dense(10)));

    @TempDir
    Path tmp;

    @Test
    void writesTheComparisonWithTheEvaluatedRunFirstIntoItsReportsFolder() throws Exception {
        writeRun("fm-t8", 7);
        writeRun("fm-t4", 9);
        writeRun("fm-t2", 8);

        Path reports = EvaluateCommand.compareInto(tmp.resolve("fm-t8"),
                List.of(tmp.resolve("fm-t4"), tmp.resolve("fm-t2")));

        assertThat(reports).isEqualTo(tmp.resolve("fm-t8").resolve("reports"));
        assertThat(Files.readString(reports.resolve("comparison.md")))
                .contains("| student | 70.00 % | 90.00 % | 80.00 % |");
        JsonNode json = new ObjectMapper().readTree(reports.resolve("comparison.json").toFile());
        assertThat(json.findValues("label")).extracting(JsonNode::asText).startsWith("fm-t8", "fm-t4", "fm-t2");
        // The run's own report is left as it was.
        assertThat(reports.resolve("report.json")).isNotEmptyFile();
    }

    @Test
    void aCompareFolderWithoutAReportFailsWithExitTwoBeforeEvaluating() throws Exception {
        writeRun("fm-t4", 9);
        Path never = Files.createDirectories(tmp.resolve("not-evaluated"));
        Path out = tmp.resolve("fm-t8");

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldErr = System.err;
        int code;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code = DistilleryCli.execute("evaluate", "--config", "../conf/fashion-mnist.yaml", "--out", out.toString(),
                    "--compare", tmp.resolve("fm-t4").toString(), "--compare", never.toString());
        } finally {
            System.setErr(oldErr);
        }

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no evaluation report in " + never);
        assertThat(out).doesNotExist();
    }

    @Test
    void compareIsRepeatableOnTheEvaluateCommandOnly() {
        var cli = DistilleryCli.commandLine();
        var parsed = cli.parseArgs("evaluate", "-c", "c.yaml", "-o", "runs/a", "--compare", "runs/b",
                "--compare", "runs/c");
        EvaluateCommand evaluate = (EvaluateCommand) parsed.subcommand().commandSpec().userObject();

        assertThat(evaluate.compare).containsExactly(Path.of("runs/b"), Path.of("runs/c"));
        assertThat(cli.getSubcommands().get("export").getCommandSpec().findOption("--compare")).isNull();
    }

    private void writeRun(String name, int correct) {
        int[] labels = new int[10];
        int[] predictions = new int[10];
        for (int i = 0; i < 10; i++) {
            labels[i] = i;
            predictions[i] = i < correct ? i : (i + 1) % 10;
        }
        Variant student = Variant.of("student", Variant.STUDENT_KD, Precision.FP32, MLP,
                ClassificationMetrics.of(labels, predictions, 10), 12_000, 0, null);
        ReportWriter.write(new ReportBuilder(name).profiles(ProfileLoader.loadAll(PROFILES,
                List.of("cortex-m7", "x86-avx2-host"))).variant(student).build(), tmp.resolve(name).resolve("reports"));
    }
}
