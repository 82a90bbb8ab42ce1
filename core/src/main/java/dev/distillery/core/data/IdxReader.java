package dev.distillery.core.data;

import dev.distillery.core.error.DataContractException;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Reads IDX files (the MNIST / Fashion-MNIST format), gzipped or raw, unsigned-byte payloads only. */
public final class IdxReader {
    private IdxReader() {
    }

    /** A pixel byte's value scaled to [0, 1], {@code b / 255f} for every b: a load instead of a division. */
    private static final float[] SCALED = new float[256];

    static {
        for (int b = 0; b < 256; b++) {
            SCALED[b] = b / 255f;
        }
    }

    /** Images as rows of {@code height*width} values scaled to [0, 1]; returns the row count via the array. */
    public static float[][] readImages(Path file) {
        return readImages(file, 0, Integer.MAX_VALUE);
    }

    /**
     * Images {@code from} (inclusive) to {@code to} (exclusive, clipped to the file's count) as rows of
     * {@code height*width} values scaled to [0, 1]. A gzipped file is decompressed from its start, since gzip
     * cannot seek; a raw one is read from the range's first byte only.
     */
    public static float[][] readImages(Path file, int from, int to) {
        try (DataInputStream in = open(file)) {
            int[] shape = imageHeader(in, file);
            int n = shape[0];
            int size = shape[1] * shape[2];
            int end = Math.min(to, n);
            from = Math.min(from, end);
            skipRecords(in, file, from, size, n);
            float[][] rows = new float[end - from][size];
            byte[] buf = new byte[size];
            for (int i = 0; i < rows.length; i++) {
                readFully(in, buf, file, from + i, n);
                for (int j = 0; j < buf.length; j++) {
                    rows[i][j] = SCALED[buf[j] & 0xFF];
                }
            }
            return rows;
        } catch (IOException e) {
            throw new DataContractException("cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Images {@code from} to {@code to} (clipped to the file's count) one at a time, for a Spark task that should not
     * hold its whole range: each {@code next()} decodes one record; the file closes after the last one (or on
     * {@link ImageCursor#close()}).
     */
    public static ImageCursor imageCursor(Path file, int from, int to) {
        DataInputStream in = null;
        try {
            in = open(file);
            int[] shape = imageHeader(in, file);
            int end = Math.min(to, shape[0]);
            int start = Math.min(from, end);
            skipRecords(in, file, start, shape[1] * shape[2], shape[0]);
            return new ImageCursor(in, file, start, end, shape[0], shape[1] * shape[2]);
        } catch (IOException | RuntimeException e) {
            if (in != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // the first failure is the one to report
                }
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new DataContractException("cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    /** A range of an IDX image file, decoded one record per call. */
    public static final class ImageCursor implements java.util.Iterator<float[]>, AutoCloseable {
        private final DataInputStream in;
        private final Path file;
        private final int end;
        private final int declared;
        private final byte[] buf;
        private int next;
        private boolean closed;

        private ImageCursor(DataInputStream in, Path file, int start, int end, int declared, int size) {
            this.in = in;
            this.file = file;
            this.next = start;
            this.end = end;
            this.declared = declared;
            this.buf = new byte[size];
            if (start >= end) {
                close();
            }
        }

        @Override
        public boolean hasNext() {
            return next < end;
        }

        @Override
        public float[] next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            try {
                readFully(in, buf, file, next, declared);
            } catch (IOException e) {
                close();
                throw new DataContractException("cannot read IDX file " + file + ": " + e.getMessage(), e);
            }
            float[] row = new float[buf.length];
            for (int j = 0; j < buf.length; j++) {
                row[j] = SCALED[buf[j] & 0xFF];
            }
            if (++next == end) {
                close();
            }
            return row;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                try {
                    in.close();
                } catch (IOException e) {
                    // reading is over; nothing depends on the close
                }
            }
        }
    }

    /**
     * Checks that the file holds every record its header declares, before any task relies on it: a raw file by its
     * size; a gzipped one by the uncompressed size its trailer records, and only where that disagrees (a
     * truncated download, or a file of several gzip members) by decompressing it whole.
     */
    public static void requireComplete(Path file) {
        try {
            long expected;
            try (DataInputStream in = open(file)) {
                int magic = in.readInt();
                int n = in.readInt();
                if (magic == 0x00000803) {
                    expected = 16 + (long) n * in.readInt() * in.readInt();
                } else if (magic == 0x00000801) {
                    expected = 8 + (long) n;
                } else {
                    throw new DataContractException(file + " is not an IDX file: expected magic 0x00000803 or"
                            + " 0x00000801, found 0x" + String.format("%08x", magic));
                }
            }
            byte[] head = new byte[2];
            long size = Files.size(file);
            try (var raw = Files.newInputStream(file)) {
                raw.readNBytes(head, 0, 2);
            }
            if ((head[0] & 0xFF) != 0x1f || (head[1] & 0xFF) != 0x8b) {
                if (size < expected) {
                    throw new DataContractException(file + " is truncated: its header declares " + expected
                            + " bytes of records, the file holds " + size);
                }
                return;
            }
            if (size >= 4) {
                byte[] trailer = new byte[4];
                try (var ch = java.nio.channels.FileChannel.open(file)) {
                    ch.read(java.nio.ByteBuffer.wrap(trailer), size - 4);
                }
                long isize = (trailer[0] & 0xFFL) | (trailer[1] & 0xFFL) << 8 | (trailer[2] & 0xFFL) << 16
                        | (trailer[3] & 0xFFL) << 24;
                if (isize == (expected & 0xFFFFFFFFL)) {
                    return;
                }
            }
            long total = 0;
            try (DataInputStream in = open(file)) {
                byte[] buf = new byte[1 << 16];
                for (int r; (r = in.read(buf)) > 0; ) {
                    total += r;
                }
            } catch (EOFException | ZipException e) {
                throw new DataContractException(file + " is truncated or corrupt: its gzip stream ends after "
                        + total + " of the " + expected + " bytes its header declares (" + e.getMessage() + ")", e);
            }
            if (total < expected) {
                throw new DataContractException(file + " is truncated: its header declares " + expected
                        + " bytes of records, the data holds " + total);
            }
        } catch (IOException e) {
            throw new DataContractException("cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Record count, height and width declared in an IDX image file's header. */
    public static int[] imageHeader(Path file) {
        try (DataInputStream in = open(file)) {
            return imageHeader(in, file);
        } catch (IOException e) {
            throw new DataContractException("cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Record count declared in an IDX label file's header. */
    public static int labelCount(Path file) {
        try (DataInputStream in = open(file)) {
            return labelHeader(in, file);
        } catch (IOException e) {
            throw new DataContractException("cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    private static int[] imageHeader(DataInputStream in, Path file) throws IOException {
        int magic = in.readInt();
        if (magic != 0x00000803) {
            throw new DataContractException(file + " is not an IDX image file: expected magic 0x00000803 (ubyte, 3 dims), found 0x"
                    + String.format("%08x", magic));
        }
        int n = in.readInt();
        int h = in.readInt();
        int w = in.readInt();
        if (n < 0 || h <= 0 || w <= 0) {
            throw new DataContractException(file + " declares an invalid shape " + n + "x" + h + "x" + w);
        }
        return new int[]{n, h, w};
    }

    private static int labelHeader(DataInputStream in, Path file) throws IOException {
        int magic = in.readInt();
        if (magic != 0x00000801) {
            throw new DataContractException(file + " is not an IDX label file: expected magic 0x00000801 (ubyte, 1 dim), found 0x"
                    + String.format("%08x", magic));
        }
        int n = in.readInt();
        if (n < 0) {
            throw new DataContractException(file + " declares a negative label count " + n);
        }
        return n;
    }

    private static void skipRecords(DataInputStream in, Path file, int records, int recordBytes, int declared)
            throws IOException {
        long bytes = (long) records * recordBytes;
        while (bytes > 0) {
            long skipped = in.skip(bytes);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new DataContractException(file + " is truncated: header declares " + declared
                            + " records, data ends before record " + records);
                }
                skipped = 1;
            }
            bytes -= skipped;
        }
    }

    /** Image height and width declared in an IDX image file header. */
    public static int[] imageShape(Path file) {
        int[] header = imageHeader(file);
        return new int[]{header[1], header[2]};
    }

    public static int[] readLabels(Path file) {
        return readLabels(file, 0, Integer.MAX_VALUE);
    }

    /** Labels {@code from} (inclusive) to {@code to} (exclusive, clipped to the file's count). */
    public static int[] readLabels(Path file, int from, int to) {
        try (DataInputStream in = open(file)) {
            int n = labelHeader(in, file);
            int end = Math.min(to, n);
            from = Math.min(from, end);
            skipRecords(in, file, from, 1, n);
            byte[] buf = new byte[end - from];
            readFully(in, buf, file, from, n);
            int[] labels = new int[buf.length];
            for (int i = 0; i < buf.length; i++) {
                labels[i] = buf[i] & 0xFF;
            }
            return labels;
        } catch (IOException e) {
            throw new DataContractException("cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void readFully(DataInputStream in, byte[] buf, Path file, int row, int declared) throws IOException {
        try {
            in.readFully(buf);
        } catch (EOFException e) {
            throw new DataContractException(file + " is truncated: header declares " + declared
                    + " records, data ends at record " + row);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DataContractException("data file " + file + " does not exist");
        }
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new DataContractException("data file " + file + " does not exist");
        }
        PushbackInputStream peek = new PushbackInputStream(new BufferedInputStream(raw, 1 << 16), 2);
        int b1 = peek.read();
        int b2 = peek.read();
        if (b2 >= 0) {
            peek.unread(b2);
        }
        if (b1 >= 0) {
            peek.unread(b1);
        }
        if (b1 == 0x1f && b2 == 0x8b) {
            try {
                return new DataInputStream(new BufferedInputStream(new GZIPInputStream(peek, 1 << 16), 1 << 16));
            } catch (ZipException e) {
                throw new DataContractException(file + " looks gzipped but is corrupt: " + e.getMessage(), e);
            }
        }
        return new DataInputStream(peek);
    }
}
