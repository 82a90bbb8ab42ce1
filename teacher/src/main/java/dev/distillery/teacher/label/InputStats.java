package dev.distillery.teacher.label;

import dev.distillery.core.error.DataContractException;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;

import java.io.Serializable;

/**
 * What the labeller checks of its input, gathered row by row over {@code id, features, ...}: row count, the
 * shortest and longest feature vector, and how many rows hold a NaN or infinite feature (and the smallest such id).
 * Partitions' statistics merge in any order.
 */
record InputStats(long rows, int minLength, int maxLength, long nonFinite, long firstNonFiniteId)
        implements Serializable {
    static final InputStats EMPTY = new InputStats(0, Integer.MAX_VALUE, Integer.MIN_VALUE, 0, Long.MAX_VALUE);

    /** These statistics with one more row of Spark's binary {@code id, features, ...}. */
    InputStats add(InternalRow row) {
        ArrayData features = row.getArray(1);
        int n = features.numElements();
        boolean finite = true;
        for (int i = 0; i < n && finite; i++) {
            finite = Float.isFinite(features.getFloat(i));
        }
        return add(row.getLong(0), n, finite);
    }

    /** These statistics with one more example. */
    InputStats add(long id, float[] features) {
        boolean finite = true;
        for (int i = 0; i < features.length && finite; i++) {
            finite = Float.isFinite(features[i]);
        }
        return add(id, features.length, finite);
    }

    private InputStats add(long id, int n, boolean finite) {
        return new InputStats(rows + 1, Math.min(minLength, n), Math.max(maxLength, n), nonFinite + (finite ? 0 : 1),
                finite ? firstNonFiniteId : Math.min(firstNonFiniteId, id));
    }

    InputStats merge(InputStats o) {
        return new InputStats(rows + o.rows, Math.min(minLength, o.minLength), Math.max(maxLength, o.maxLength),
                nonFinite + o.nonFinite, Math.min(firstNonFiniteId, o.firstNonFiniteId));
    }

    /** Whether the last added row (or any row so far) is one the teacher cannot label. */
    boolean unusable(int expected) {
        return nonFinite > 0 || (rows > 0 && (minLength != expected || maxLength != expected));
    }

    /** Throws the error a user sees when these rows cannot be labelled by a teacher taking {@code expected} features. */
    void require(int expected, String teacher) {
        if (rows == 0) {
            throw new DataContractException("there are no rows to label: the prepared train and validation splits are "
                    + "empty");
        }
        if (minLength != expected || maxLength != expected) {
            throw new DataContractException("teacher " + teacher + " expects " + expected
                    + " features per row, the data has rows with " + minLength + " to " + maxLength);
        }
        if (nonFinite > 0) {
            throw new DataContractException(nonFinite + " rows have NaN or infinite features (first id "
                    + firstNonFiniteId + "); the teacher's outputs on them would be meaningless. Fix the data and "
                    + "prepare again");
        }
    }
}
