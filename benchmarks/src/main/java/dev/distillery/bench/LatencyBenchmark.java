package dev.distillery.bench;

import dev.distillery.core.data.IdxReader;
import dev.distillery.core.engine.InferenceRunner;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.evaluation.measure.LatencyMeasurement;
import dev.distillery.evaluation.measure.LatencyProbe;
import dev.distillery.evaluation.measure.Runners;
import dev.distillery.student.quant.Calibration;
import dev.distillery.student.quant.IntegerConverter;
import dev.distillery.student.quant.IntegerModel;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * fp32 against int8 inference latency of one float student, per call at batch 1 and per batch, in every runtime
 * Distillery measures: SameDiff (fp32), ONNX Runtime (fp32 export and int8 QDQ export) and the pure-Java integer
 * runtime (int8). The int8 model is the student's min-max per-channel post-training quantization, calibrated on the
 * first training images, so any float student can be measured without running QAT first.
 * Usage: {@code LatencyBenchmark <student.dmodel> <fashion-mnist dir> <batches, e.g. 1,64> <runs>}; prints
 * {@code RESULT latency <runtime> <precision> <batch> <median_ms> <p90_ms> <microseconds_per_row>} per pair, and
 * {@code RESULT agreement <runtime> <precision> <with fp32> <with int8>}: argmax agreement with SameDiff fp32 and with
 * the integer runtime on 1,000 test images.
 */
public final class LatencyBenchmark {
    private static final int CALIBRATION_ROWS = 2000;
    private static final int SAMPLE_ROWS = 1000;

    private LatencyBenchmark() {
    }

    public static void main(String[] args) {
        dev.distillery.engine.samediff.NativeSettings.useJvmDefaults();
        ModelArtifact student = ModelIO.read(Path.of(args[0]));
        Path dir = Path.of(args[1]);
        int[] batches = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
        int runs = Integer.parseInt(args[3]);
        float[][] train = IdxReader.readImages(dir.resolve("train-images-idx3-ubyte.gz"));
        float[][] test = Arrays.copyOf(IdxReader.readImages(dir.resolve("t10k-images-idx3-ubyte.gz")), SAMPLE_ROWS);
        IntegerModel int8 = IntegerConverter.convert(student.withQuant(
                Calibration.calibrate(student, Arrays.copyOf(train, CALIBRATION_ROWS), 8, 8)));
        Map<String, InferenceRunner> runners = new LinkedHashMap<>();
        runners.put("samediff fp32", Runners.sameDiff(student));
        runners.put("onnxruntime fp32", Runners.onnx(student));
        runners.put("integer-java int8", Runners.integer(int8));
        runners.put("onnxruntime int8", Runners.onnxQdq(int8));
        // each runtime against the float graph, and ONNX Runtime's int8 against the integer runtime it must match
        int[] fp32 = argmax(runners.get("samediff fp32").logits(test));
        int[] integer = argmax(runners.get("integer-java int8").logits(test));
        for (var e : runners.entrySet()) {
            int[] p = argmax(e.getValue().logits(test));
            System.out.printf("RESULT agreement %s %.4f %.4f%n", e.getKey(), agreement(p, fp32),
                    agreement(p, integer));
        }
        for (int batch : batches) {
            for (var e : runners.entrySet()) {
                // fewer timed calls for large batches: each already covers many rows
                int n = Math.max(5, runs / batch);
                LatencyMeasurement m = LatencyProbe.measure(e.getValue(), test, batch, Math.max(3, n / 5), n);
                System.out.printf("RESULT latency %s %d %.4f %.4f %.2f%n", e.getKey(), batch, m.medianMs(),
                        m.p90Ms(), 1000 * m.medianMs() / batch);
            }
        }
        runners.values().forEach(InferenceRunner::close);
        System.exit(0);
    }

    private static double agreement(int[] a, int[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            same += a[i] == b[i] ? 1 : 0;
        }
        return (double) same / a.length;
    }

    private static int[] argmax(float[][] logits) {
        int[] out = new int[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = dev.distillery.core.train.SparkTrainer.argmax(logits[i]);
        }
        return out;
    }
}
