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

    /** Images as rows of {@code height*width} values scaled to [0, 1]; returns the row count via the array. */
    public static float[][] readImages(Path file) {
        try (DataInputStream in = open(file)) {
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
            float[][] rows = new float[n][h * w];
            byte[] buf = new byte[h * w];
            for (int i = 0; i < n; i++) {
                readFully(in, buf, file, i, n);
                for (int j = 0; j < buf.length; j++) {
                    rows[i][j] = (buf[j] & 0xFF) / 255f;
                }
            }
            return rows;
        } catch (IOException e) {
            throw new DataContractException("cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Image height and width declared in an IDX image file header. */
    public static int[] imageShape(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != 0x00000803) {
                throw new DataContractException(file + " is not an IDX image file: expected magic 0x00000803, found 0x"
                        + String.format("%08x", magic));
            }
            in.readInt();
            return new int[]{in.readInt(), in.readInt()};
        } catch (IOException e) {
            throw new DataContractException("cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    public static int[] readLabels(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != 0x00000801) {
                throw new DataContractException(file + " is not an IDX label file: expected magic 0x00000801 (ubyte, 1 dim), found 0x"
                        + String.format("%08x", magic));
            }
            int n = in.readInt();
            if (n < 0) {
                throw new DataContractException(file + " declares a negative label count " + n);
            }
            byte[] buf = new byte[n];
            readFully(in, buf, file, 0, n);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
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
