package dev.distillery.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distillery.core.manifest.ManifestIO;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Prints the headline table of a finished report: accuracy, size and MACs per variant, verdict per profile. */
final class ResultsTable {
    private ResultsTable() {
    }

    static void print(Path reportsDir, PrintStream out) {
        Path json = reportsDir.resolve(dev.distillery.jobs.stage.EvaluateStage.REPORT_JSON.name());
        if (!Files.isRegularFile(json)) {
            return;
        }
        try {
            JsonNode root = ManifestIO.json().readTree(json.toFile());
            out.println();
            out.printf("%-18s %-6s %9s %10s %10s %12s%n", "variant", "prec", "accuracy", "params", "bytes", "MACs");
            for (JsonNode v : root.path("variants")) {
                out.printf("%-18s %-6s %8.2f%% %10d %10d %12d%n", v.path("name").asText(), v.path("precision").asText(),
                        100 * v.path("accuracy").asDouble(), v.path("params").asLong(), v.path("size_bytes").asLong(),
                        v.path("macs").asLong());
            }
            out.println();
            for (JsonNode r : root.path("recommendations")) {
                out.printf("%-16s -> %s%n", r.path("profile").asText(),
                        r.path("variant").isNull() ? "no variant passes" : r.path("variant").asText());
            }
        } catch (IOException e) {
            out.println("(report.json unreadable: " + e.getMessage() + ")");
        }
    }
}
