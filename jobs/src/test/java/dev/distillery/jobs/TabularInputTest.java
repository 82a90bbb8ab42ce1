package dev.distillery.jobs;

import dev.distillery.core.data.ExamplePreparation;
import dev.distillery.core.data.Examples;
import dev.distillery.core.testing.Flights;
import dev.distillery.core.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real-looking flights table (timestamp, string and integer columns) given to prepare as a new user would: the
 * non-numeric feature columns are refused with exit 2 before any work, by name and type, and
 * {@code data.feature_columns} selects the usable ones.
 */
class TabularInputTest {
    /** Every column but the label as a feature, as prepare reads a table when data.feature_columns is empty. */
    private static final String ALL_COLUMNS = "[1, 1, 6]";
    @TempDir
    Path tmp;

    private Path config(String format, String extension, String shape, String... extraLines) throws IOException {
        StringBuilder yaml = new StringBuilder()
                .append("data:\n")
                .append("  format: ").append(format).append('\n')
                .append("  dir: ").append(tmp).append('\n')
                .append("  train_file: train.").append(extension).append('\n')
                .append("  test_file: test.").append(extension).append('\n')
                .append("  label_column: late\n")
                .append("  shape: ").append(shape).append('\n');
        for (String l : extraLines) {
            yaml.append(l).append('\n');
        }
        Path file = tmp.resolve(format + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static void assertRefusedNamingColumns(CliRun.Result r, Path out) throws IOException {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err())
                .contains("flight_date (date)", "scheduled_departure (timestamp)", "carrier (string)", "origin (string)")
                .contains("prepare takes numeric feature columns (byte, short, int, long, float, double, decimal) "
                        + "and boolean ones")
                .contains("e.g. data.feature_columns: [dep_delay, distance]")
                .doesNotContain("internal error", "Exception", "\tat ");
        if (Files.exists(out)) {
            try (Stream<Path> s = Files.list(out)) {
                assertThat(s.toList()).isEmpty();
            }
        }
    }

    @Test
    void parquetFlightsTableWithTimestampAndStringColumnsExitsTwoNamingThem() throws Exception {
        Flights.writeParquet(TestSpark.get(), tmp);
        Path out = tmp.resolve("out");
        CliRun.Result r = CliRun.stage(config("parquet", "parquet", ALL_COLUMNS), "prepare", out);
        assertRefusedNamingColumns(r, out);
        assertThat(r.err()).contains("train.parquet");
    }

    @Test
    void csvFlightsTableWithTimestampAndStringColumnsExitsTwoNamingThem() throws Exception {
        Flights.writeCsv(tmp);
        Path out = tmp.resolve("out");
        CliRun.Result r = CliRun.stage(config("csv", "csv", ALL_COLUMNS), "prepare", out);
        assertRefusedNamingColumns(r, out);
        assertThat(r.err()).contains("train.csv");
    }

    @Test
    void featureColumnsSelectTheNumericColumnsOfTheFlightsTable() throws Exception {
        Flights.writeParquet(TestSpark.get(), tmp);
        Path out = tmp.resolve("out");
        CliRun.Result r = CliRun.stage(config("parquet", "parquet", "[1, 1, 2]",
                "  feature_columns: [dep_delay, distance]"), "prepare", out);
        assertThat(r.code()).as(r.err()).isZero();
        var examples = TestSpark.get().read().parquet(out.resolve("prepared/examples").toString());
        assertThat(examples.count()).isEqualTo(400);
        var test = Examples.collect(Examples.load(TestSpark.get(), out.resolve("prepared"), Examples.TEST));
        // the test file is one partition, so its first row gets the first test id; its features are that row's
        // dep_delay and distance, in the order data.feature_columns lists them
        var row = Flights.rows(100, 2).get(0);
        int at = java.util.Arrays.stream(test.ids()).boxed().toList().indexOf(ExamplePreparation.TEST_ID_OFFSET);
        assertThat(at).isNotNegative();
        assertThat(test.features()[at]).containsExactly((float) row.getInt(4), (float) row.getInt(5));
        assertThat(test.labels()[at]).isEqualTo(row.getInt(6));
    }
}
