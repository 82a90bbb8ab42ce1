package dev.distillery.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the Airflow DAG tests (python3, standard library only) against this CLI's own help texts, so a renamed or
 * removed stage or flag that a DAG passes fails the build.
 */
class DagContractTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path DAGS = REPO.resolve("airflow/dags");

    @TempDir
    Path tmp;

    @Test
    void dagTestsPassAgainstTheCliHelp() throws Exception {
        CommandLine cli = DistilleryCli.commandLine();
        ObjectMapper json = new ObjectMapper();
        ObjectNode help = json.createObjectNode().put("top", cli.getUsageMessage());
        ObjectNode stages = help.putObject("stages");
        for (String[] stage : DistilleryCli.STAGES) {
            stages.put(stage[0], cli.getSubcommands().get(stage[0]).getUsageMessage());
        }
        Path file = tmp.resolve("cli-help.json");
        json.writeValue(file.toFile(), help);

        ProcessBuilder pb = new ProcessBuilder("python3", "-B", "-m", "unittest", "discover", "-v",
                "-s", DAGS.resolve("tests").toString(), "-t", DAGS.toString())
                .directory(REPO.toFile())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("python.log").toFile());
        pb.environment().put("DISTILLERY_CLI_HELP", file.toString());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("python3 is needed to run the DAG tests (.ci/run installs it): " + e, e);
        }
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String output = Files.readString(tmp.resolve("python.log"), StandardCharsets.UTF_8);
        assertThat(finished).as("DAG tests finish within 120 s:%n%s", output).isTrue();
        assertThat(p.exitValue()).as("python3 DAG tests:%n%s", output).isZero();
        assertThat(output).as("every DAG test ran:%n%s", output).doesNotContain("skipped").contains("OK");
    }

    @Test
    void airflowCommandsAreRegistered() {
        CommandLine airflow = DistilleryCli.commandLine().getSubcommands().get("airflow");
        assertThat(airflow).isNotNull();
        assertThat(airflow.getSubcommands().keySet())
                .containsExactlyInAnyOrder("trigger", "status", "wait", "logs", "clear", "pause", "unpause");
        assertThat(Files.exists(DAGS.resolve("distillery_pipeline.py"))).isTrue();
    }
}
