package dev.distillery.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PyTorch peer's argument checks and IDX reading on tiny files this test writes (no PyTorch needed): the split it
 * reports, and clear errors with exit code 2 for bad arguments and malformed data.
 */
class PeerDataTest {
    static final Path PEER = Path.of("..").toAbsolutePath().normalize().resolve("bench/peer/peer.py");

    @TempDir
    Path tmp;

    @Test
    void readsGzippedIdxFilesAndSplitsOffTheValidationFraction() throws Exception {
        writeIdx(tmp, 20, 5);
        Result r = peer("--data", tmp.toString(), "--check-data", "--validation-fraction", "0.25");
        assertThat(r.code).as(r.output).isZero();
        assertThat(r.output).contains("DATA train (15, 1, 28, 28) validation (5, 1, 28, 28) test (5, 1, 28, 28)");
    }

    @Test
    void trainLimitTakesTheFirstRows() throws Exception {
        writeIdx(tmp, 20, 5);
        Result r = peer("--data", tmp.toString(), "--check-data", "--train-limit", "10");
        assertThat(r.code).as(r.output).isZero();
        assertThat(r.output).contains("DATA train (9, 1, 28, 28) validation (1, 1, 28, 28)");
    }

    @Test
    void rejectsImagesAndLabelsOfDifferentCounts() throws Exception {
        writeIdx(tmp, 20, 5);
        Files.write(tmp.resolve("train-labels-idx1-ubyte.gz"), gzip(labels(19)));
        Result r = peer("--data", tmp.toString(), "--check-data");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.output).contains("train: 20 images but 19 labels");
    }

    @Test
    void rejectsAFileThatIsNotIdx() throws Exception {
        writeIdx(tmp, 20, 5);
        Files.write(tmp.resolve("t10k-images-idx3-ubyte.gz"), gzip("not an idx file".getBytes(StandardCharsets.UTF_8)));
        Result r = peer("--data", tmp.toString(), "--check-data");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.output).contains("t10k-images-idx3-ubyte.gz is not an IDX file with magic 0x803");
    }

    @Test
    void rejectsANonPositiveEpochCount() throws Exception {
        Result r = peer("--data", tmp.toString(), "--teacher-epochs", "0");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.output).contains("--teacher-epochs must be >= 1, was 0");
    }

    private record Result(int code, String output) {
    }

    private Result peer(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "-B", PEER.toString()));
        cmd.addAll(List.of(args));
        Path log = tmp.resolve("peer.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("peer finishes").isTrue();
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static void writeIdx(Path dir, int train, int test) throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(images(train)));
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(labels(train)));
        Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), gzip(images(test)));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), gzip(labels(test)));
    }

    private static byte[] images(int n) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x803);
        out.writeInt(n);
        out.writeInt(28);
        out.writeInt(28);
        for (int i = 0; i < n * 28 * 28; i++) {
            out.writeByte(i % 256);
        }
        return bytes.toByteArray();
    }

    private static byte[] labels(int n) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x801);
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeByte(i % 10);
        }
        return bytes.toByteArray();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }
}
