package dev.distillery.core.data;

import dev.distillery.core.train.TrainRow;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Converts example and soft-label rows into the trainer's {@link TrainRow}s. */
public final class TrainRows {
    private TrainRows() {
    }

    /** Rows with {@code features} and {@code label}. */
    public static JavaRDD<TrainRow> hardLabels(Dataset<Row> rows) {
        return rows.select("features", "label").javaRDD()
                .map(r -> new TrainRow(Rows.floats(r, 0), r.getInt(1), null));
    }

    /** Rows with {@code features}, {@code label} and teacher {@code logits}. */
    public static JavaRDD<TrainRow> withTeacher(Dataset<Row> rows) {
        return rows.select("features", "label", "logits").javaRDD()
                .map(r -> new TrainRow(Rows.floats(r, 0), r.getInt(1), Rows.floats(r, 2)));
    }
}
