package dev.distillery.core.data;

import dev.distillery.core.error.DataContractException;
import dev.distillery.core.testing.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdxReaderTest {
    @TempDir
    Path dir;

    private static byte[] idxImages(int n, int h, int w, int actualRows) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x803);
        out.writeInt(n);
        out.writeInt(h);
        out.writeInt(w);
        for (int i = 0; i < actualRows * h * w; i++) {
            out.writeByte(i % 256);
        }
        return bytes.toByteArray();
    }

    /** {@code name} holding {@code raw}, and {@code name}.gz holding it gzipped. */
    private void writeRawAndGzipped(String name, byte[] raw) throws Exception {
        Files.write(dir.resolve(name), raw);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
            g.write(raw);
        }
        Files.write(dir.resolve(name + ".gz"), gz.toByteArray());
    }

    @Test
    void readsRealFashionMnistTestLabels() {
        int[] labels = IdxReader.readLabels(FashionMnist.file("t10k-labels-idx1-ubyte.gz"));
        assertThat(labels).hasSize(10_000);
        int[] counts = new int[10];
        for (int l : labels) {
            counts[l]++;
        }
        assertThat(counts).containsOnly(1000);
    }

    @Test
    void readsRawAndGzippedFilesAlike() throws Exception {
        writeRawAndGzipped("a.idx", idxImages(2, 2, 3, 2));
        float[][] a = IdxReader.readImages(dir.resolve("a.idx"));
        float[][] b = IdxReader.readImages(dir.resolve("a.idx.gz"));
        assertThat(a).hasDimensions(2, 6);
        assertThat(a[1][5]).isEqualTo(11 / 255f);
        assertThat(b).isDeepEqualTo(a);
    }

    @Test
    void aRangeOfRecordsIsTheSameSliceOfTheWholeFileRawOrGzipped() throws Exception {
        writeRawAndGzipped("r.idx", idxImages(7, 3, 2, 7));
        float[][] all = IdxReader.readImages(dir.resolve("r.idx"));
        for (String name : new String[]{"r.idx", "r.idx.gz"}) {
            assertThat(IdxReader.readImages(dir.resolve(name), 2, 5)).isDeepEqualTo(java.util.Arrays.copyOfRange(all, 2, 5));
            assertThat(IdxReader.readImages(dir.resolve(name), 5, 99)).isDeepEqualTo(java.util.Arrays.copyOfRange(all, 5, 7));
            assertThat(IdxReader.readImages(dir.resolve(name), 7, 9)).isEmpty();
            assertThat(IdxReader.imageHeader(dir.resolve(name))).containsExactly(7, 3, 2);
        }
        int[] labels = IdxReader.readLabels(FashionMnist.file("t10k-labels-idx1-ubyte.gz"));
        assertThat(IdxReader.readLabels(FashionMnist.file("t10k-labels-idx1-ubyte.gz"), 9_990, 10_000))
                .containsExactly(java.util.Arrays.copyOfRange(labels, 9_990, 10_000));
        assertThat(IdxReader.labelCount(FashionMnist.file("t10k-labels-idx1-ubyte.gz"))).isEqualTo(10_000);
    }

    @Test
    void aCursorDecodesTheSameRecordsOneAtATime() throws Exception {
        writeRawAndGzipped("c.idx", idxImages(6, 2, 2, 6));
        float[][] all = IdxReader.readImages(dir.resolve("c.idx"));
        for (String name : new String[]{"c.idx", "c.idx.gz"}) {
            java.util.List<float[]> got = new java.util.ArrayList<>();
            IdxReader.imageCursor(dir.resolve(name), 1, 4).forEachRemaining(got::add);
            assertThat(got.toArray(new float[0][])).isDeepEqualTo(java.util.Arrays.copyOfRange(all, 1, 4));
            assertThat(IdxReader.imageCursor(dir.resolve(name), 9, 12).hasNext()).isFalse();
        }
    }

    @Test
    void aFileIsCheckedCompleteBeforeUseRawOrGzipped() throws Exception {
        writeRawAndGzipped("whole.idx", idxImages(5, 2, 2, 5));
        IdxReader.requireComplete(dir.resolve("whole.idx"));
        IdxReader.requireComplete(dir.resolve("whole.idx.gz"));
        writeRawAndGzipped("short.idx", idxImages(5, 2, 2, 3));
        for (String name : new String[]{"short.idx", "short.idx.gz"}) {
            assertThatThrownBy(() -> IdxReader.requireComplete(dir.resolve(name)))
                    .isInstanceOf(DataContractException.class).hasMessageContaining(name + " is truncated")
                    .hasMessageContaining("declares 36 bytes");
        }
        // a gzipped file cut short (an interrupted download): no valid trailer, and the stream ends early
        byte[] gz = Files.readAllBytes(dir.resolve("whole.idx.gz"));
        Files.write(dir.resolve("cut.idx.gz"), java.util.Arrays.copyOf(gz, gz.length - 10));
        assertThatThrownBy(() -> IdxReader.requireComplete(dir.resolve("cut.idx.gz")))
                .isInstanceOf(DataContractException.class).hasMessageContaining("cut.idx.gz is truncated");
        assertThat(IdxReader.readImages(dir.resolve("whole.idx"), 7, 9)).isEmpty();
    }

    @Test
    void aRangeBeyondTheDataOfATruncatedFileNamesTheRecordCount() throws Exception {
        Files.write(dir.resolve("t.idx"), idxImages(5, 2, 2, 3));
        assertThatThrownBy(() -> IdxReader.readImages(dir.resolve("t.idx"), 4, 5))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining("truncated").hasMessageContaining("declares 5");
        assertThatThrownBy(() -> IdxReader.readImages(dir.resolve("t.idx"), 1, 5))
                .isInstanceOf(DataContractException.class).hasMessageContaining("record 3");
    }

    @Test
    void rejectsTruncatedFileNamingDeclaredAndFoundRecords() throws Exception {
        Files.write(dir.resolve("t.idx"), idxImages(5, 2, 2, 3));
        assertThatThrownBy(() -> IdxReader.readImages(dir.resolve("t.idx")))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining("truncated").hasMessageContaining("declares 5").hasMessageContaining("record 3");
    }

    @Test
    void rejectsWrongMagicAndMissingFile() throws Exception {
        Files.writeString(dir.resolve("x.idx"), "not an idx file at all");
        assertThatThrownBy(() -> IdxReader.readImages(dir.resolve("x.idx")))
                .isInstanceOf(DataContractException.class).hasMessageContaining("expected magic 0x00000803");
        assertThatThrownBy(() -> IdxReader.readLabels(dir.resolve("missing.gz")))
                .isInstanceOf(DataContractException.class).hasMessageContaining("does not exist");
    }
}
