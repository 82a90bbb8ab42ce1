package dev.distillery.teacher.label;

import org.apache.spark.sql.catalyst.InternalRow;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A partition's examples, checked as they stream past on their way to the teacher: the iterator ends early at the
 * first row the teacher cannot take (wrong feature count, NaN or infinite feature), so no such row reaches inference
 * and the caller discards what it wrote; {@link #drain()} then counts the rest of the partition so that the error
 * reports every bad row. The input is read once, for checking and labelling together.
 */
final class CheckedExamples implements Iterator<ExampleRow> {
    private final Iterator<InternalRow> source;
    private final int expected;
    private InputStats stats = InputStats.EMPTY;
    private ExampleRow next;
    private boolean failed;

    CheckedExamples(Iterator<InternalRow> source, int expected) {
        this.source = source;
        this.expected = expected;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !failed && source.hasNext()) {
            ExampleRow row = ExampleRow.of(source.next());
            stats = stats.add(row.id(), row.features());
            if (stats.unusable(expected)) {
                failed = true;
            } else {
                next = row;
            }
        }
        return next != null;
    }

    @Override
    public ExampleRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ExampleRow row = next;
        next = null;
        return row;
    }

    /** Whether a row the teacher cannot take ended the iteration. */
    boolean failed() {
        return failed;
    }

    /** Reads the rest of the partition into the statistics without labelling it. */
    InputStats drain() {
        while (source.hasNext()) {
            stats = stats.add(source.next());
        }
        return stats;
    }

    InputStats stats() {
        return stats;
    }
}
