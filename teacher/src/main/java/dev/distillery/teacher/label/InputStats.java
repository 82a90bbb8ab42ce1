package dev.distillery.teacher.label;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;

import java.io.Serializable;

/**
 * What the labeller checks before any inference, gathered in one pass over Spark's binary rows of
 * {@code id, features, ...}: row count, the shortest and longest feature vector, and how many rows hold a NaN or
 * infinite feature (and the smallest such id). Partitions' statistics merge in any order.
 */
record InputStats(long rows, int minLength, int maxLength, long nonFinite, long firstNonFiniteId)
        implements Serializable {
    static final InputStats EMPTY = new InputStats(0, Integer.MAX_VALUE, Integer.MIN_VALUE, 0, Long.MAX_VALUE);

    /** These statistics with one more row. */
    InputStats add(InternalRow row) {
        long id = row.getLong(0);
        ArrayData features = row.getArray(1);
        int n = features.numElements();
        boolean finite = true;
        for (int i = 0; i < n && finite; i++) {
            finite = Float.isFinite(features.getFloat(i));
        }
        return new InputStats(rows + 1, Math.min(minLength, n), Math.max(maxLength, n), nonFinite + (finite ? 0 : 1),
                finite ? firstNonFiniteId : Math.min(firstNonFiniteId, id));
    }

    InputStats merge(InputStats o) {
        return new InputStats(rows + o.rows, Math.min(minLength, o.minLength), Math.max(maxLength, o.maxLength),
                nonFinite + o.nonFinite, Math.min(firstNonFiniteId, o.firstNonFiniteId));
    }
}
