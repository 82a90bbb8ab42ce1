package dev.distillery.bench;

import dev.distillery.core.config.ConfigLoader;
import dev.distillery.core.config.TrainingParams;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.Examples;
import dev.distillery.core.data.IdxReader;
import dev.distillery.core.engine.CosineSchedule;
import dev.distillery.core.engine.CrossEntropyObjective;
import dev.distillery.core.engine.Engines;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ParamInit;
import dev.distillery.core.spark.SparkSessions;
import dev.distillery.core.train.SparkTrainer;
import dev.distillery.core.train.TrainResult;
import dev.distillery.core.train.TrainRow;
import dev.distillery.core.train.TrainSpec;
import dev.distillery.teacher.arch.TeacherArchitecture;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Training throughput of the teacher CNN: a plain single-JVM minibatch loop against the Spark data-parallel
 * trainer with one and with two workers, same model, batch size and rows, timed over one warm epoch each, in one JVM.
 * Usage: {@code TrainerBenchmark <fashion-mnist dir> <rows> <repeats> <modes: plain,spark1,spark2,spark1r,spark2r> [averaging frequency]}
 * (a trailing {@code r}: optimizer state averaged every round instead of once per epoch); prints one
 * {@code RESULT mode samples_per_s step_fraction} line per measurement, where the step fraction is the share of the
 * timed epoch spent inside training steps (1 for the plain loop; for the Spark trainer, the slowest worker's step
 * time per round summed over rounds, so the remainder is the trainer's coordination cost).
 */
public final class TrainerBenchmark {
    private TrainerBenchmark() {
    }

    public static void main(String[] args) {
        dev.distillery.engine.samediff.NativeSettings.useJvmDefaults();
        Path dir = Path.of(args[0]);
        int rows = Integer.parseInt(args[1]);
        int repeats = Integer.parseInt(args[2]);
        List<String> modes = Arrays.asList(args[3].split(","));
        int frequency = args.length > 4 ? Integer.parseInt(args[4]) : 8;
        float[][] x = Arrays.copyOf(IdxReader.readImages(dir.resolve("train-images-idx3-ubyte.gz")), rows);
        int[] y = Arrays.copyOf(IdxReader.readLabels(dir.resolve("train-labels-idx1-ubyte.gz")), rows);
        var cfg = ConfigLoader.fromTree(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(),
                List.of(), "benchmark");
        Architecture arch = TeacherArchitecture.of(cfg.teacher(),
                new DatasetInfo(1, 28, 28, 10, List.of(), Map.of(), "benchmark"));
        int batch = cfg.teacher().batchSize();
        SparkSession spark = modes.stream().anyMatch(m -> m.startsWith("spark"))
                ? SparkSessions.getOrCreate("local[2]", "trainer-benchmark", 2) : null;
        for (int rep = 0; rep < repeats; rep++) {
            for (String mode : modes) {
                double[] rate = mode.equals("plain") ? new double[]{plain(arch, x, y, batch), 1}
                        : spark(spark, arch, x, y, batch, Integer.parseInt(mode.replaceAll("\\D", "")), frequency,
                        mode.endsWith("r"));
                System.out.printf("RESULT %s %.1f %.4f%n", mode, rate[0], rate[1]);
            }
        }
        if (spark != null) {
            spark.stop();
        }
    }

    private static double plain(Architecture arch, float[][] x, int[] y, int batch) {
        Network net = Engines.network().forTraining(arch, ParamInit.he(arch, 1), GraphHooks.NONE,
                new CrossEntropyObjective(), new CosineSchedule(0.002, 0, 1000, 0.02), 0);
        // one warm-up step so that graph building is not timed, as the Spark trainer builds it before timing too
        net.fit(Arrays.copyOf(x, batch), Arrays.copyOf(y, batch), null, 0);
        long t0 = System.nanoTime();
        int steps = 0;
        for (int from = 0; from < x.length; from += batch) {
            int to = Math.min(x.length, from + batch);
            net.fit(Arrays.copyOfRange(x, from, to), Arrays.copyOfRange(y, from, to), null, ++steps);
        }
        return x.length / ((System.nanoTime() - t0) / 1e9);
    }

    private static double[] spark(SparkSession spark, Architecture arch, float[][] x, int[] y, int batch, int workers,
                                  int frequency, boolean optimizerEveryRound) {
        List<TrainRow> list = new ArrayList<>(x.length);
        for (int i = 0; i < x.length; i++) {
            list.add(new TrainRow(x[i], y[i], null));
        }
        var rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(list, workers);
        ModelArtifact init = new ModelArtifact("teacher", arch, ParamInit.he(arch, 1), Map.of(), null);
        TrainResult r = SparkTrainer.train(spark, rdd, new Examples.LocalExamples(new long[0], new float[0][], new int[0]),
                init, GraphHooks.NONE, new CrossEntropyObjective(),
                new TrainSpec("bench", new TrainingParams(2, batch, 0.002, 0, 0), workers, frequency, 1,
                        optimizerEveryRound), List.of());
        // the second epoch: data already cached in the workers and graphs built, like the warmed-up plain loop
        var epoch = r.history().get(1);
        return new double[]{epoch.samplesPerSecond(), epoch.stepSeconds() / epoch.epochSeconds()};
    }
}
