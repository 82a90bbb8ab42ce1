package dev.distillery.core.train;

import dev.distillery.core.error.DataContractException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PackedRowsTest {
    @Test
    void rowsComeBackAsTheyWentInAcrossChunks() {
        // 10 floats a chunk holds 3 rows of 3: seven rows take three chunks, the last one trimmed to its row
        PackedRows.Builder b = new PackedRows.Builder("feature", 10);
        float[][] in = new float[7][];
        for (int i = 0; i < in.length; i++) {
            in[i] = new float[]{i, i + 0.5f, -i};
            b.add(in[i]);
        }
        PackedRows rows = b.build();
        assertThat(rows.rows()).isEqualTo(7);
        assertThat(rows.width()).isEqualTo(3);
        for (int i = 0; i < in.length; i++) {
            assertThat(rows.row(i)).as("row %d", i).containsExactly(in[i]);
        }
        // a row handed out is a copy: changing it leaves the stored row alone
        rows.row(4)[0] = 99;
        assertThat(rows.row(4)).containsExactly(in[4]);
        assertThatThrownBy(() -> rows.row(7)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("of 7");
    }

    @Test
    void aRowOfAnotherWidthIsNamed() {
        PackedRows.Builder b = new PackedRows.Builder("feature");
        b.add(new float[784]);
        assertThatThrownBy(() -> b.add(new float[783])).isInstanceOf(DataContractException.class)
                .hasMessage("training row 1 has 783 feature values, the rows before it have 784");
    }

    @Test
    void anEmptyPartitionHasNoRows() {
        PackedRows rows = new PackedRows.Builder("feature").build();
        assertThat(rows.rows()).isZero();
    }

    @Test
    void theDefaultChunkFitsWholeRegionsOfSixteenMebibytes() {
        assertThat((long) PackedRows.CHUNK_FLOATS * Float.BYTES).isLessThan(16L << 20).isGreaterThan((16L << 20) - 2048);
    }
}
