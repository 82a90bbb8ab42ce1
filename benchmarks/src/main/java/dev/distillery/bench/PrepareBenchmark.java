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
 * folder on one local Spark session (its start is not timed; the first run is a warm-up), reporting rows per
 * second, the driver JVM's peak heap and peak RSS. Usage: {@code PrepareBenchmark <idx dir> <work dir> <runs>
 * [--set key=value ...]}; prints {@code RESULT prepare <rows> <seconds> <rows/s> <peak heap bytes> <peak RSS bytes>}
 * per timed run.
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
            for (int run = 0; run <= runs; run++) {
                Path out = work.resolve("prepared-" + run);
                delete(out);
                StageMemory memory = StageMemory.reset();
                long t0 = System.nanoTime();
                DatasetInfo info = ExamplePreparation.prepare(cfg.data(), 1, spark, out);
                double secs = (System.nanoTime() - t0) / 1e9;
                StageMemory.Peak peak = memory.peak();
                long rows = info.counts().values().stream().mapToLong(Long::longValue).sum();
                if (run > 0) {
                    System.out.printf("RESULT prepare %d %.2f %.0f %d %d%n", rows, secs, rows / secs, peak.heapBytes(),
                            peak.rssBytes());
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
