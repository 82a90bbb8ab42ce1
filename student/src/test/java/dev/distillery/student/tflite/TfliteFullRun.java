package dev.distillery.student.tflite;

import dev.distillery.student.quant.CalibrationMethod;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.quant.IntegerModelIO;
import dev.distillery.student.runtime.IntegerRuntime;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.LiteRt;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documented full run (bench/tflite.sh, docs/deployment.md): exports integer models to TFLite and runs all 10,000
 * Fashion-MNIST test images through LiteRT.js, recording argmax agreement with the integer runtime and the largest
 * output error. Not part of the test suite (its name does not end in Test); run it by name:
 *
 * <pre>mvn -B -o -q -pl student -am test -Dtest=TfliteFullRun -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtflite.models=/work/demo-run/export</pre>
 *
 * <p>With {@code tflite.models} set, it exports {@code student-int*.dint} and {@code ptq/*.dint} from that export
 * folder; without it, the test students of {@link TfliteLiteRtTest}. The output quantization is calibrated on the
 * first 1,000 training images. Results go to {@code target/tflite-full-run/results.md}.
 */
class TfliteFullRun {
    private static final int CALIBRATION_ROWS = 1000;

    @Test
    void exportsAndRunsEveryTestImageInLiteRt() throws IOException {
        LiteRt liteRt = LiteRt.require();
        Path out = Path.of("target", "tflite-full-run").toAbsolutePath();
        Files.createDirectories(out);
        String source = System.getProperty("tflite.models", "");
        Map<String, IntegerModel> models = source.isEmpty() ? testStudents() : exported(Path.of(source));
        float[][] calibration = Arrays.copyOf(FashionMnist.trainImages(CALIBRATION_ROWS), CALIBRATION_ROWS);
        float[][] x = FashionMnist.testImages(10_000);
        int[] y = FashionMnist.testLabels(10_000);
        StringBuilder md = new StringBuilder("| model | weights | .tflite bytes | output scale / zero point "
                + "| agreement (float logits) | within one step of a tie | disagreements outside them "
                + "| agreement (quantized logits) "
                + "| max difference (codes) | max error (steps) | saturated outputs | outputs unlike the float "
                + "emulation | accuracy LiteRT / runtime | LiteRT ms |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, IntegerModel> e : models.entrySet()) {
            IntegerModel model = e.getValue();
            Path file = out.resolve(e.getKey() + ".tflite");
            TfliteIo io = TfliteExporter.export(model, calibration, file);
            byte[] rows = new byte[x.length * io.inputSize()];
            for (int i = 0; i < x.length; i++) {
                System.arraycopy(io.inputCodes(x[i]), 0, rows, i * io.inputSize(), io.inputSize());
            }
            LiteRt.Run run = liteRt.run(file, rows, out);
            float[][] logits = new IntegerRuntime(model).logits(x);
            Agreement a = Agreement.of(io, logits, run.outputs(), y);
            int mismatches = TfliteLiteRtTest.emulationMismatches(model, io, x, run.outputs());
            int runtimeCorrect = 0;
            for (int i = 0; i < x.length; i++) {
                runtimeCorrect += Agreement.argmax(logits[i]) == y[i] ? 1 : 0;
            }
            String ms = run.summary().replaceAll(".*\"ms\":(\\d+).*", "$1");
            md.append(String.format("| %s | int%d %s | %d | %.6f / %d | %d / %d | %d | %d | %d / %d | %d | %.3f | %d | %d "
                            + "| %.4f / %.4f | %s |%n", e.getKey(), model.weightBits(),
                    model.metadata().getOrDefault("weight_granularity", "per_channel"), Files.size(file),
                    io.output().scale(), io.output().zeroPoint(), a.agreeFloat(), a.rows(), a.ambiguous(), a.unexplained(),
                    a.agreeQuantized(), a.rows(), a.maxCodeDifference(), a.maxSteps(), a.saturated(), mismatches,
                    a.accuracy(),
                    runtimeCorrect / (double) x.length, ms));
            System.out.printf("%s: %s; %d outputs unlike the float emulation; LiteRT %s%n", e.getKey(), a,
                    mismatches, run.summary());
            assertThat(run.outputs()).hasSize(x.length * io.outputSize());
        }
        Files.writeString(out.resolve("results.md"), md);
        System.out.print(md);
    }

    private static Map<String, IntegerModel> exported(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(f -> f.getFileName().toString().matches("student-int\\d+\\.dint")).sorted().forEach(files::add);
        }
        if (Files.isDirectory(dir.resolve("ptq"))) {
            try (Stream<Path> s = Files.list(dir.resolve("ptq"))) {
                s.filter(f -> f.toString().endsWith(".dint")).sorted().forEach(files::add);
            }
        }
        assertThat(files).as("integer models in " + dir).isNotEmpty();
        Map<String, IntegerModel> models = new LinkedHashMap<>();
        for (Path f : files) {
            String name = f.getFileName().toString().replaceFirst("\\.dint$", "");
            models.put(name, IntegerModelIO.read(f));
        }
        return models;
    }

    private static Map<String, IntegerModel> testStudents() {
        Map<String, IntegerModel> models = new LinkedHashMap<>();
        models.put("separable-int8-qat", IntegerFixtures.trained(TestModels.separableCnn(), 8, false,
                CalibrationMethod.MINMAX, 60));
        models.put("separable-int4-qat", IntegerFixtures.trained(TestModels.separableCnn(), 4, false,
                CalibrationMethod.MINMAX, 150));
        models.put("separable-int8-ptq-per-tensor", IntegerFixtures.trained(TestModels.separableCnn(), 8, true,
                CalibrationMethod.ENTROPY, 0));
        return models;
    }
}
