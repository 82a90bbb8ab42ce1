package dev.distillery.core.data;

import dev.distillery.core.config.ConfigLoader;
import dev.distillery.core.config.PipelineConfig;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.testing.Digits;
import dev.distillery.core.testing.FashionMnist;
import dev.distillery.core.testing.Flights;
import dev.distillery.core.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExamplePreparationTest {
    @TempDir
    Path dir;

    @Test
    void preparesCsvIntoCanonicalParquetWithSeededSplit() throws Exception {
        Digits.writeCsv(dir);
        PipelineConfig cfg = Digits.config(dir);
        DatasetInfo a = ExamplePreparation.prepare(cfg.data(), 1, TestSpark.get(), dir.resolve("a"));
        DatasetInfo b = ExamplePreparation.prepare(cfg.data(), 1, TestSpark.get(), dir.resolve("b"));
        assertThat(a.numClasses()).isEqualTo(10);
        assertThat(a.featureLength()).isEqualTo(64);
        assertThat(a.counts().get("test")).isEqualTo(297);
        long val = a.counts().get("validation");
        // 10% of 1,500 rows by hash: binomial sd ~11.6, so +-5 sd around 150
        assertThat(val).isBetween(92L, 208L);
        assertThat(a.counts().get("train") + val).isEqualTo(1500);
        for (String split : List.of(Examples.TRAIN, Examples.VALIDATION, Examples.TEST)) {
            // the counts the write observed are the rows the files hold
            assertThat(Examples.load(TestSpark.get(), dir.resolve("a"), split).count()).as(split)
                    .isEqualTo(a.counts().get(split));
        }
        var ids = Examples.collect(Examples.load(TestSpark.get(), dir.resolve("a"), Examples.VALIDATION)).ids();
        var again = Examples.collect(Examples.load(TestSpark.get(), dir.resolve("b"), Examples.VALIDATION)).ids();
        assertThat(again).isEqualTo(ids);
        var row = Examples.collect(Examples.load(TestSpark.get(), dir.resolve("a"), Examples.TRAIN)).features()[0];
        for (float v : row) {
            assertThat(v).isBetween(0f, 1f);
        }
    }

    @Test
    void idxFilesAreDecodedInTasksIntoTheSameRowsAsTheFilesHold() {
        PipelineConfig cfg = idx(FashionMnist.DIR, "data.train_limit=3000", "data.test_limit=700");
        DatasetInfo info = ExamplePreparation.prepare(cfg.data(), 5, TestSpark.get(), dir.resolve("fm"));
        assertThat(info.counts().get("train") + info.counts().get("validation")).isEqualTo(3000);
        assertThat(info.counts().get("test")).isEqualTo(700);
        float[][] images = IdxReader.readImages(FashionMnist.file("t10k-images-idx3-ubyte.gz"), 0, 700);
        int[] labels = IdxReader.readLabels(FashionMnist.file("t10k-labels-idx1-ubyte.gz"), 0, 700);
        var test = Examples.collect(Examples.load(TestSpark.get(), dir.resolve("fm"), Examples.TEST));
        for (int i = 0; i < test.size(); i++) {
            int record = (int) (test.ids()[i] - ExamplePreparation.TEST_ID_OFFSET);
            assertThat(test.features()[i]).as("test record %d", record).containsExactly(images[record]);
            assertThat(test.labels()[i]).isEqualTo(labels[record]);
        }
        assertThat(java.util.Arrays.stream(test.ids()).distinct().count()).isEqualTo(700);
    }

    @Test
    void aReaderThatSharesNoCodeWithSparkReadsTheFeaturesAsFloatArraysWithoutTheirStatistics() throws Exception {
        PipelineConfig cfg = idx(FashionMnist.DIR, "data.train_limit=200", "data.test_limit=50");
        DatasetInfo info = ExamplePreparation.prepare(cfg.data(), 5, TestSpark.get(), dir.resolve("fm"));
        assertThat(info.counts()).containsExactly(java.util.Map.entry("train", info.counts().get("train")),
                java.util.Map.entry("validation", 200 - info.counts().get("train")), java.util.Map.entry("test", 50L));
        float[][] images = IdxReader.readImages(FashionMnist.file("t10k-images-idx3-ubyte.gz"), 0, 50);
        String files = "read_parquet('" + dir.resolve("fm").resolve(Examples.PARQUET_DIR) + "/*/*.parquet', "
                + "hive_partitioning = true)";
        try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement()) {
            try (var r = s.executeQuery("SELECT column_type FROM (DESCRIBE SELECT features FROM " + files + ")")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getString(1)).isEqualTo("FLOAT[]");
            }
            try (var r = s.executeQuery("SELECT id, features FROM " + files + " WHERE split = 'test' ORDER BY id")) {
                int n = 0;
                while (r.next()) {
                    int record = (int) (r.getLong(1) - ExamplePreparation.TEST_ID_OFFSET);
                    Object[] values = (Object[]) r.getArray(2).getArray();
                    float[] features = new float[values.length];
                    for (int i = 0; i < values.length; i++) {
                        features[i] = (Float) values[i];
                    }
                    assertThat(features).as("test record %d", record).containsExactly(images[record]);
                    n++;
                }
                assertThat(n).isEqualTo(50);
            }
            // min and max of a pixel are written for no reader: the id column keeps its statistics, features none
            try (var r = s.executeQuery("SELECT path_in_schema, count(stats_min_value), count(*) FROM parquet_metadata("
                    + "'" + dir.resolve("fm").resolve(Examples.PARQUET_DIR) + "/*/*.parquet') GROUP BY 1")) {
                java.util.Map<String, long[]> stats = new java.util.HashMap<>();
                while (r.next()) {
                    stats.put(r.getString(1), new long[]{r.getLong(2), r.getLong(3)});
                }
                assertThat(stats.get("id")[0]).isEqualTo(stats.get("id")[1]).isPositive();
                String features = stats.keySet().stream().filter(k -> k.startsWith("features")).findFirst().orElseThrow();
                assertThat(stats.get(features)[0]).as(features).isZero();
            }
        }
    }

    @Test
    void aTruncatedIdxFileIsBadInputBeforeAnyTaskAndWritesNothing() throws Exception {
        copyFashionMnist("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz");
        // the header declares 60,000 images; the data ends after 20,000 (gzipped, so only decoding finds out)
        byte[] whole;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(FashionMnist.file("train-images-idx3-ubyte.gz")))) {
            whole = in.readNBytes(16 + 20_000 * 784);
        }
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(dir.resolve("raw/train-images-idx3-ubyte.gz")))) {
            out.write(whole);
        }
        assertThatThrownBy(() -> ExamplePreparation.prepare(idx(dir.resolve("raw")).data(), 5, TestSpark.get(),
                dir.resolve("out")))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining("train-images-idx3-ubyte.gz is truncated").hasMessageContaining("declares");
        assertThat(dir.resolve("out").resolve(Examples.INFO_FILE)).doesNotExist();
    }

    @Test
    void testImagesOfAnotherShapeThanTheTrainingImagesAreRefused() throws Exception {
        copyFashionMnist("train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz");
        try (var out = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(
                Files.newOutputStream(dir.resolve("raw/t10k-images-idx3-ubyte.gz"))))) {
            out.writeInt(0x803);
            out.writeInt(10_000);
            out.writeInt(32);
            out.writeInt(32);
            out.write(new byte[10_000 * 32 * 32]);
        }
        assertThatThrownBy(() -> ExamplePreparation.prepare(idx(dir.resolve("raw")).data(), 5, TestSpark.get(),
                dir.resolve("out")))
                .isInstanceOf(DataContractException.class).hasMessageContaining("32x32")
                .hasMessageContaining("28x28").hasMessageContaining("same shape");
    }

    /** Copies the named Fashion-MNIST files into the folder "raw"; the test writes the fourth itself. */
    private void copyFashionMnist(String... names) throws Exception {
        Files.createDirectories(dir.resolve("raw"));
        for (String name : names) {
            Files.copy(FashionMnist.file(name), dir.resolve("raw").resolve(name));
        }
    }

    private static PipelineConfig idx(Path data, String... extra) {
        List<String> sets = new java.util.ArrayList<>(List.of("data.format=idx", "data.dir=" + data));
        sets.addAll(List.of(extra));
        return ConfigLoader.fromTree(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), sets,
                "test");
    }

    @Test
    void rejectsWrongFeatureCountAndNaN() throws Exception {
        Digits.writeCsv(dir);
        assertThatThrownBy(() -> ExamplePreparation.prepare(Digits.config(dir, "data.shape=[1,28,28]").data(), 1,
                TestSpark.get(), dir.resolve("out")))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining("should have 784 features per row").hasMessageContaining("found rows with 64");
        List<String> lines = Files.readAllLines(dir.resolve("train.csv"));
        lines.set(3, lines.get(3).replaceFirst("^0,", "NaN,"));
        Files.write(dir.resolve("train.csv"), lines);
        assertThatThrownBy(() -> ExamplePreparation.prepare(Digits.config(dir).data(), 1, TestSpark.get(),
                dir.resolve("out2")))
                .isInstanceOf(DataContractException.class).hasMessageContaining("1 rows with NaN");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aLabelBeyondIntRangeIsRefusedNamingTheLabelColumnAndValue() throws Exception {
        Digits.writeCsv(dir);
        List<String> lines = Files.readAllLines(dir.resolve("train.csv"));
        // the label is the last cell; 1e12 is no class index and would overflow Spark's cast to int
        lines.set(5, lines.get(5).replaceFirst(",[^,]+$", ",1e12"));
        lines.set(6, lines.get(6).replaceFirst(",[^,]+$", ",2.5"));
        Files.write(dir.resolve("train.csv"), lines);
        assertThatThrownBy(() -> ExamplePreparation.prepare(Digits.config(dir).data(), 1, TestSpark.get(),
                dir.resolve("out")))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining("the train data has 2 rows whose label column '_c64' holds a value that is not "
                        + "a whole number in int range, e.g. 1.0E12");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aFlightsTableWithDateTimeAndTextColumnsIsRefusedBeforeAnythingIsWritten() {
        Flights.writeParquet(TestSpark.get(), dir);
        assertThatThrownBy(() -> ExamplePreparation.prepare(Digits.config(dir, "data.format=parquet",
                "data.train_file=train.parquet", "data.test_file=test.parquet", "data.label_column=late",
                "data.shape=[1,1,6]").data(), 1, TestSpark.get(), dir.resolve("out")))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining("flight_date (date), scheduled_departure (timestamp), carrier (string)");
        assertThat(dir.resolve("out")).doesNotExist();
    }
}
