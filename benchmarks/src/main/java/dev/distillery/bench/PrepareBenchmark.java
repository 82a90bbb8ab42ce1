package dev.distillery.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.distillery.core.config.ConfigLoader;
import dev.distillery.core.config.PipelineConfig;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.ExamplePreparation;
import dev.distillery.core.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The prepare stage's throughput and driver memory on IDX input: each run prepares the same files into a fresh
 * folder on one local Spark session (its start is not timed; the first run is a warm-up). The timed runs follow one
 * another with nothing in between, a steady state in which the JIT has compiled the stage's code and the heap has
 * grown; one more run, after a full collection, gives the driver JVM's peak heap and peak RSS. The memory run is
 * kept apart because G1 hands most of the heap back to the system after a full collection, and the run after it
 * spends about a second growing the heap again (docs/benchmarks-notes.md, "Prepare's measurement and its split
 * counts"). Usage: {@code PrepareBenchmark <idx dir> <work dir> <runs> [--set key=value ...]}; prints
 * {@code RESULT prepare <rows> <seconds> <rows/s>} per timed run, then
 * {@code RESULT prepare-memory <rows> <seconds> <peak heap bytes> <peak RSS bytes>}.
 */
public final class PrepareBenchmark {
    private PrepareBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path data = Path.of(args[0]);
        Path work = Path.of(args[1]);
        int runs = Integer.parseInt(args[2]);
        List<String> sets = new ArrayList<>(List.of("data.format=idx", "data.dir=" + data));
        for (int i = 3; i + 1 < args.length; i += 2) {
            sets.add(args[i + 1]);
        }
        PipelineConfig cfg = ConfigLoader.fromTree(JsonNodeFactory.instance.objectNode(), sets, "benchmark");
        SparkSession spark = SparkSessions.getOrCreate("local[*]", "prepare-benchmark", 2);
        try {
            for (int run = 0; run <= runs + 1; run++) {
                Path out = work.resolve("prepared-" + run);
                delete(out);
                boolean memoryRun = run == runs + 1;
                StageMemory memory = memoryRun ? StageMemory.reset() : null;
                long t0 = System.nanoTime();
                DatasetInfo info = ExamplePreparation.prepare(cfg.data(), 1, spark, out);
                double secs = (System.nanoTime() - t0) / 1e9;
                long rows = info.counts().values().stream().mapToLong(Long::longValue).sum();
                if (memoryRun) {
                    StageMemory.Peak peak = memory.peak();
                    System.out.printf("RESULT prepare-memory %d %.2f %d %d%n", rows, secs, peak.heapBytes(),
                            peak.rssBytes());
                } else if (run > 0) {
                    System.out.printf("RESULT prepare %d %.2f %.0f%n", rows, secs, rows / secs);
                }
                delete(out);
            }
        } finally {
            spark.stop();
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
