package dev.distillery.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** scikit-learn's 8x8 digits (1,797 rows, BSD), from Debian's python3-sklearn package, split into CSV files. */
public final class Digits {
    public static final Path SOURCE = Path.of(System.getenv().getOrDefault("DISTILLERY_DIGITS",
            "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"));

    private Digits() {
    }

    /** The first {@code n} digits as features scaled to [0, 1] (64 values, the 8x8 image row by row) and labels. */
    public static float[][] features(int n) {
        List<String> lines = lines();
        float[][] x = new float[Math.min(n, lines.size())][];
        for (int i = 0; i < x.length; i++) {
            String[] cells = lines.get(i).split(",");
            x[i] = new float[64];
            for (int j = 0; j < 64; j++) {
                x[i][j] = Float.parseFloat(cells[j]) / 16f;
            }
        }
        return x;
    }

    /** Labels of the first {@code n} digits. */
    public static int[] labels(int n) {
        List<String> lines = lines();
        int[] y = new int[Math.min(n, lines.size())];
        for (int i = 0; i < y.length; i++) {
            String[] cells = lines.get(i).split(",");
            y[i] = (int) Float.parseFloat(cells[64]);
        }
        return y;
    }

    private static List<String> lines() {
        if (!Files.isRegularFile(SOURCE)) {
            throw new IllegalStateException("test data " + SOURCE + " is missing: install python3-sklearn (.ci/run does)");
        }
        List<String> lines = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(SOURCE))) {
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!l.isBlank()) {
                    lines.add(l.trim());
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return lines;
    }

    /** Writes train.csv (first 1,500 rows) and test.csv (the rest), no header, label last, into {@code dir}. */
    public static void writeCsv(Path dir) throws IOException {
        List<String> lines = lines();
        Files.write(dir.resolve("train.csv"), lines.subList(0, 1500));
        Files.write(dir.resolve("test.csv"), lines.subList(1500, lines.size()));
    }
    /** A CSV data config for the files {@link #writeCsv} made, plus extra overrides. */
    public static dev.distillery.core.config.PipelineConfig config(Path dataDir, String... extra) {
        List<String> sets = new java.util.ArrayList<>(List.of("data.format=csv", "data.dir=" + dataDir,
                "data.train_file=train.csv", "data.test_file=test.csv", "data.label_column=_c64",
                "data.csv_header=false", "data.shape=[1,8,8]", "data.feature_scale=0.0625"));
        sets.addAll(List.of(extra));
        return dev.distillery.core.config.ConfigLoader.fromTree(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), sets,
                "test");
    }

}
