package dev.distillery.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distillery.core.data.Examples;
import dev.distillery.core.data.IdxReader;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.labels.SoftLabelFiles;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.train.SparkTrainer;
import dev.distillery.jobs.cli.DistilleryCli;
import dev.distillery.jobs.stage.LabelStage;
import dev.distillery.jobs.stage.TrainTeacherStage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The pipeline's own figures, measured the way a user runs it: prepare, train-teacher, label and distill through
 * the CLI in one JVM (as {@code distillery run} does), each stage's wall time, peak heap, peak RSS and CPU (cores busy), the
 * throughput its training history records, and the test accuracy of what it produced. A JFR recording covers every
 * stage so the harness can say where a slow stage spends its time.
 * Usage: {@code PipelineBenchmark <fashion-mnist dir> <jfr file> <stage args: --config F --out D [--set k=v ...]>};
 * prints {@code RESULT stage}, {@code RESULT train}, {@code RESULT label} and {@code PROFILE} lines (see the
 * {@code print*} methods) on standard output.
 */
public final class PipelineBenchmark {
    static final List<String> STAGES = List.of("prepare", "train-teacher", "label", "distill");

    private PipelineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        dev.distillery.engine.samediff.NativeSettings.useJvmDefaults();
        if (args.length < 4 || !Arrays.asList(args).contains("--out")) {
            System.err.println("usage: PipelineBenchmark <fashion-mnist dir> <jfr file> --config FILE --out DIR [--set k=v ...]");
            System.exit(2);
        }
        Path data = Path.of(args[0]);
        Path jfr = Path.of(args[1]);
        String[] stageArgs = Arrays.copyOfRange(args, 2, args.length);
        Path out = Path.of(stageArgs[Arrays.asList(stageArgs).indexOf("--out") + 1]);
        List<StageWindow> windows = new ArrayList<>();
        try (StageProfiler profiler = StageProfiler.start()) {
            for (String stage : STAGES) {
                StageMemory memory = StageMemory.reset();
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                java.time.Instant from = java.time.Instant.now();
                String[] cli = new String[stageArgs.length + 1];
                cli[0] = stage;
                System.arraycopy(stageArgs, 0, cli, 1, stageArgs.length);
                int code = DistilleryCli.execute(cli);
                if (code != 0) {
                    System.err.println("stage " + stage + " failed with exit code " + code);
                    System.exit(code);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                windows.add(new StageWindow(stage, from, java.time.Instant.now()));
                StageMemory.Peak peak = memory.peak();
                System.out.printf("RESULT stage %s %.2f %d %d %s %.2f%n", stage, secs, peak.heapBytes(),
                        peak.rssBytes(), peak.rssScope(), (processCpuNanos() - cpu0) / 1e9 / secs);
            }
            profiler.stopAndDump(jfr);
        }
        float[][] testX = IdxReader.readImages(data.resolve("t10k-images-idx3-ubyte.gz"));
        int[] testY = IdxReader.readLabels(data.resolve("t10k-labels-idx1-ubyte.gz"));
        var test = new Examples.LocalExamples(new long[testY.length], testX, testY);
        printTraining("teacher", TrainTeacherStage.OUTPUT.dir(out).resolve("history.json"), ModelIO.read(TrainTeacherStage.MODEL.path(out)),
                test);
        printTraining("student-kd", out.resolve("student/history-kd.json"),
                ModelIO.read(out.resolve("student/student-kd.dmodel")), test);
        printTraining("student-baseline", out.resolve("student/history-baseline.json"),
                ModelIO.read(out.resolve("student/student-baseline.dmodel")), test);
        long rows = 0;
        for (Path f : SoftLabelFiles.files(LabelStage.PARQUET.path(out))) {
            rows += SoftLabelFiles.footer(f).rows();
        }
        double labelSeconds = ManifestIO.read(LabelStage.OUTPUT.dir(out)).orElseThrow().durationSeconds();
        System.out.printf("RESULT label %d %.2f%n", rows, labelSeconds);
        for (String line : StageProfiler.summary(jfr, windows, 8)) {
            System.out.println(line);
        }
        System.exit(0);
    }

    /**
     * {@code RESULT train <run> <mean samples/s over epochs> <test accuracy> <MACs per sample> <parameters> <epochs>
     * <train rows> <seconds of all epochs>};
     * samples/s is the trainer's own per-epoch figure (rows over the epoch's wall time, validation included).
     */
    private static void printTraining(String run, Path history, ModelArtifact model, Examples.LocalExamples test) {
        JsonNode epochs;
        try {
            epochs = ManifestIO.json().readTree(history.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        double sum = 0;
        double seconds = 0;
        for (JsonNode e : epochs) {
            sum += e.get("samplesPerSecond").asDouble();
            seconds += e.get("epochSeconds").asDouble();
        }
        double rate = sum / Math.max(1, epochs.size());
        // samples/s is rows over epoch seconds, so either epoch gives back the row count
        long rows = epochs.isEmpty() ? 0
                : Math.round(epochs.get(0).get("samplesPerSecond").asDouble() * epochs.get(0).get("epochSeconds").asDouble());
        double accuracy = SparkTrainer.accuracy(model, GraphHooks.NONE, test);
        System.out.printf("RESULT train %s %.1f %.4f %d %d %d %d %.2f%n", run, rate, accuracy,
                model.architecture().macs(), model.architecture().parameterCount(), epochs.size(), rows, seconds);
    }

    /** A stage's place on the recording's timeline. */
    record StageWindow(String stage, java.time.Instant from, java.time.Instant to) {
    }

    /** This JVM's CPU time so far (driver and, in local mode, the executors' tasks). */
    static long processCpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean unix ? unix.getProcessCpuTime() : 0;
    }
}
