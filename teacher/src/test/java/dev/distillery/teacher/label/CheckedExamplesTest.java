package dev.distillery.teacher.label;

import dev.distillery.core.error.DataContractException;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckedExamplesTest {

    private static InternalRow row(long id, float... features) {
        Object[] boxed = new Object[features.length];
        for (int i = 0; i < features.length; i++) {
            boxed[i] = features[i];
        }
        return new GenericInternalRow(new Object[]{id, new GenericArrayData(boxed), 3, UTF8String.fromString("train")});
    }

    @Test
    void cleanRowsPassThroughWithTheirStatistics() {
        CheckedExamples in = new CheckedExamples(List.of(row(1, 0f, 1f, 2f), row(2, 3f, 4f, 5f)).iterator(), 3);
        List<ExampleRow> seen = new ArrayList<>();
        in.forEachRemaining(seen::add);
        assertThat(seen).extracting(ExampleRow::id).containsExactly(1L, 2L);
        assertThat(seen.get(1).features()).containsExactly(3f, 4f, 5f);
        assertThat(seen.get(0).split()).isEqualTo("train");
        assertThat(in.failed()).isFalse();
        InputStats s = in.drain();
        assertThat(s.rows()).isEqualTo(2);
        s.require(3, "t");
    }

    @Test
    void stopsBeforeTheFirstBadRowAndCountsTheRest() {
        CheckedExamples in = new CheckedExamples(List.of(row(1, 0f, 1f, 2f), row(7, 0f, Float.NaN, 2f),
                row(3, 0f, 1f, 2f), row(5, Float.POSITIVE_INFINITY, 1f, 2f), row(9, 1f, 2f)).iterator(), 3);
        List<ExampleRow> seen = new ArrayList<>();
        in.forEachRemaining(seen::add);
        // nothing after the first NaN row reaches the teacher
        assertThat(seen).extracting(ExampleRow::id).containsExactly(1L);
        assertThat(in.failed()).isTrue();
        InputStats s = in.drain();
        assertThat(s.rows()).isEqualTo(5);
        assertThat(s.nonFinite()).isEqualTo(2);
        assertThat(s.firstNonFiniteId()).isEqualTo(5);
        assertThat(s.minLength()).isEqualTo(2);
        // the length mismatch is reported first, with the lengths found
        assertThatThrownBy(() -> s.require(3, "cnn")).isInstanceOf(DataContractException.class)
                .hasMessageContaining("teacher cnn expects 3 features per row, the data has rows with 2 to 3");
    }

    @Test
    void nonFiniteRowsAreCountedAcrossPartitions() {
        InputStats a = new CheckedExamples(List.of(row(4, 0f, Float.NaN)).iterator(), 2).drain();
        CheckedExamples second = new CheckedExamples(List.of(row(2, 1f, 1f), row(8, Float.NaN, 0f)).iterator(), 2);
        second.forEachRemaining(r -> { });
        InputStats merged = a.merge(second.drain());
        assertThatThrownBy(() -> merged.require(2, "t")).isInstanceOf(DataContractException.class)
                .hasMessageContaining("2 rows have NaN or infinite features (first id 4)");
        assertThatThrownBy(() -> InputStats.EMPTY.require(2, "t")).isInstanceOf(DataContractException.class)
                .hasMessageContaining("no rows to label");
    }
}
