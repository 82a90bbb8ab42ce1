package dev.distillery.core.testing;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small flights table as a new user brings it: a flight date, a departure timestamp, carrier and airport strings,
 * integer delay and distance, and an integer label (arrived more than 15 minutes late), as Parquet and as CSV.
 */
public final class Flights {
    public static final StructType SCHEMA = new StructType()
            .add("flight_date", DataTypes.DateType)
            .add("scheduled_departure", DataTypes.TimestampType)
            .add("carrier", DataTypes.StringType)
            .add("origin", DataTypes.StringType)
            .add("dep_delay", DataTypes.IntegerType)
            .add("distance", DataTypes.IntegerType)
            .add("late", DataTypes.IntegerType);
    private static final DateTimeFormatter CSV_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final String[] CARRIERS = {"AA", "DL", "UA", "WN", "B6"};
    private static final String[] AIRPORTS = {"ATL", "JFK", "LAX", "ORD", "SEA", "DEN"};

    private Flights() {
    }

    /** {@code n} seeded rows; the late ones are mostly those that left late. */
    public static List<Row> rows(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        LocalDateTime start = LocalDateTime.of(2024, 3, 1, 5, 0);
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            LocalDateTime departure = start.plusMinutes(17L * i + random.nextInt(10));
            int depDelay = random.nextInt(10) < 7 ? random.nextInt(-10, 10) : random.nextInt(10, 180);
            int distance = random.nextInt(180, 2800);
            int late = depDelay + random.nextInt(-15, 15) > 15 ? 1 : 0;
            rows.add(RowFactory.create(Date.valueOf(departure.toLocalDate()), Timestamp.valueOf(departure),
                    CARRIERS[random.nextInt(CARRIERS.length)], AIRPORTS[random.nextInt(AIRPORTS.length)], depDelay,
                    distance, late));
        }
        return rows;
    }

    /** Writes train.parquet (300 rows) and test.parquet (100 rows) into {@code dir} with Spark. */
    public static void writeParquet(SparkSession spark, Path dir) {
        spark.createDataFrame(rows(300, 1), SCHEMA).coalesce(1).write().parquet(dir.resolve("train.parquet").toString());
        spark.createDataFrame(rows(100, 2), SCHEMA).coalesce(1).write().parquet(dir.resolve("test.parquet").toString());
    }

    /** Writes train.csv (300 rows) and test.csv (100 rows) with a header line into {@code dir}. */
    public static void writeCsv(Path dir) throws IOException {
        writeCsv(dir.resolve("train.csv"), rows(300, 1));
        writeCsv(dir.resolve("test.csv"), rows(100, 2));
    }

    private static void writeCsv(Path file, List<Row> rows) throws IOException {
        List<String> lines = new ArrayList<>(List.of(String.join(",", SCHEMA.fieldNames())));
        for (Row r : rows) {
            List<String> cells = new ArrayList<>();
            for (int i = 0; i < r.size(); i++) {
                Object v = r.get(i);
                cells.add(v instanceof Timestamp t ? CSV_TIME.format(t.toLocalDateTime()) : String.valueOf(v));
            }
            lines.add(String.join(",", cells));
        }
        Files.write(file, lines);
    }
}
