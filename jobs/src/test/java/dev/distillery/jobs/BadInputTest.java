package dev.distillery.jobs;

import dev.distillery.core.testing.FashionMnist;
import dev.distillery.jobs.cli.DistilleryCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad configs and bad data end with exit code 2, a message naming the problem, and no output folder. */
class BadInputTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    @TempDir
    Path tmp;

    private record Result(int code, String err) {
    }

    private Result run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            return new Result(DistilleryCli.execute(args), buf.toString());
        } finally {
            System.setErr(old);
        }
    }

    private void assertNothingWritten(Path out) throws Exception {
        if (Files.exists(out)) {
            // nothing at all: no stage folder and no hidden work folder either
            try (Stream<Path> s = Files.list(out)) {
                assertThat(s.toList()).isEmpty();
            }
        }
    }

    @Test
    void invalidConfigValueExitsTwoNamingTheField() throws Exception {
        Path out = tmp.resolve("out");
        Result r = run("prepare", "--config", REPO.resolve("conf/smoke.yaml").toString(), "--out", out.toString(),
                "--set", "distill.temperature=-1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("distill.temperature must be > 0, was -1.0");
        assertNothingWritten(out);
    }

    @Test
    void int4DepthwiseWeightsAreRejectedBeforeTrainingNamingTheLayers() throws Exception {
        Path out = tmp.resolve("out");
        Result r = run("run", "--config", REPO.resolve("conf/smoke.yaml").toString(), "--out", out.toString(),
                "--set", "qat.weight_bits=4", "--set", "qat.depthwise_weight_bits=4");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("qat.depthwise_weight_bits 4").contains("depthwise_conv2d layers")
                .contains("8-bit weights only");
        assertNothingWritten(out);
    }

    @Test
    void unknownCalibrationMethodExitsTwoNamingTheField() throws Exception {
        Path out = tmp.resolve("out");
        Result r = run("qat", "--config", REPO.resolve("conf/smoke.yaml").toString(), "--out", out.toString(),
                "--set", "ptq.methods=[minmax, kl]");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("ptq.methods[1] given unknown calibration method \"kl\"");
        assertNothingWritten(out);
    }

    @Test
    void missingDataFileExitsTwoAndLeavesNoOutput() throws Exception {
        Path out = tmp.resolve("out");
        Result r = run("prepare", "--config", REPO.resolve("conf/smoke.yaml").toString(), "--out", out.toString(),
                "--master", "local[2]", "--set", "data.dir=" + tmp.resolve("nowhere"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("does not exist").contains("nowhere");
        assertNothingWritten(out);
    }

    @Test
    void corruptIdxFileExitsTwoAndLeavesNoOutput() throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        for (String f : new String[]{"train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            Files.copy(FashionMnist.file(f), data.resolve(f));
        }
        byte[] good = Files.readAllBytes(FashionMnist.file("train-images-idx3-ubyte.gz"));
        Files.write(data.resolve("train-images-idx3-ubyte.gz"), java.util.Arrays.copyOf(good, good.length / 3));
        Path out = tmp.resolve("out");
        Result r = run("prepare", "--config", REPO.resolve("conf/smoke.yaml").toString(), "--out", out.toString(),
                "--master", "local[2]", "--set", "data.dir=" + data);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("train-images-idx3-ubyte.gz");
        assertNothingWritten(out);
    }

    @Test
    void unknownProfileExitsTwoListingAvailableOnes() throws Exception {
        Path out = tmp.resolve("out");
        Result r = run("evaluate", "--config", REPO.resolve("conf/smoke.yaml").toString(), "--out", out.toString(),
                "--set", "evaluation.profiles=[pdp-11]", "--set", "evaluation.profiles_dir=" + REPO.resolve("conf/profiles"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("pdp-11").contains("cortex-m7");
        assertNothingWritten(out);
    }

    @Test
    void helpListsEveryStageWithExamples() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            assertThat(DistilleryCli.execute("--help")).isZero();
        } finally {
            System.setOut(old);
        }
        assertThat(buf.toString()).contains("prepare", "train-teacher", "label", "distill", "prune", "qat", "export",
                "evaluate", "run", "demo", "Exit codes", "Examples");
    }
}
