package dev.distillery.jobs.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class QuietStdoutTest {
    @Test
    void inProcessCliDropsSameDiffsDifferentiationLinesAndKeepsProgress() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            // as the benchmark drivers and tests do: execute, not main
            DistilleryCli.execute("--help");
            // what SameDiff 1.0.0-M2.1 prints for every op while it builds a training graph
            System.out.println("Added differentiated op conv2d_1");
            System.out.println("  teacher    epoch  1/2   loss 0.9471");
        } finally {
            System.setOut(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .contains("teacher    epoch  1/2")
                .doesNotContain("Added differentiated op");
    }
}
