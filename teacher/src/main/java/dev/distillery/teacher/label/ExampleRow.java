package dev.distillery.teacher.label;

import dev.distillery.core.data.Rows;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * One prepared example as the labeller consumes it. Built either from a Spark {@link Row} or straight from Spark's
 * binary {@link InternalRow} of the columns {@code id, features, label, split}, which copies the feature array in
 * one call instead of boxing every value into a Scala sequence.
 */
record ExampleRow(long id, float[] features, int label, String split) {

    /** From a row of {@code id, features, label, split}. */
    static ExampleRow of(Row r) {
        return new ExampleRow(r.getLong(0), Rows.floats(r, 1), r.getInt(2), r.getString(3));
    }

    /** From Spark's internal row of {@code id, features, label, split}; copies everything (Spark reuses the row). */
    static ExampleRow of(InternalRow r) {
        return new ExampleRow(r.getLong(0), r.getArray(1).toFloatArray(), r.getInt(2), r.getUTF8String(3).toString());
    }
}
