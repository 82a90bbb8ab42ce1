package dev.distillery.core.data;

import dev.distillery.core.augment.ViewAugmenter;
import dev.distillery.core.labels.SoftTargets;
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

    /**
     * Examples ({@code id, features, label}) joined with soft-label rows ({@code view} and the target columns of
     * {@code targets}): each view's input is regenerated from (id, view, seed) and its targets rebuilt as logits.
     */
    public static JavaRDD<TrainRow> withSoftLabels(Dataset<Row> rows, SoftTargets targets, ViewAugmenter views) {
        java.util.List<String> cols = new java.util.ArrayList<>(java.util.List.of("id", "features", "label", "view"));
        cols.addAll(targets.columns());
        return rows.selectExpr(cols.toArray(new String[0])).javaRDD()
                .map(r -> new TrainRow(views.view(Rows.floats(r, 1), r.getLong(0), r.getInt(3)), r.getInt(2),
                        targets.logits(r, 4)));
    }
}
