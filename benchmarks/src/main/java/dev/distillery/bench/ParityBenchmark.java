package dev.distillery.bench;

import dev.distillery.core.config.ConfigLoader;
import dev.distillery.core.config.PipelineConfig;
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
import java.util.List;
import java.util.Map;

/**
 * Parity of data-parallel training: the teacher of a pipeline config trained by the Spark trainer with N workers
 * against the same config, initialisation, data and epochs trained by a plain loop in one JVM; both report test
 * accuracy of the epoch chosen on the same validation rows.
 * Usage: {@code ParityBenchmark <config.yaml> <fashion-mnist dir> <modes: plain,spark1,spark2,...> [--set k=v ...]};
 * prints one {@code RESULT mode test_accuracy validation_accuracy best_epoch seconds} line per mode.
 */
public final class ParityBenchmark {
    private ParityBenchmark() {
    }

    public static void main(String[] args) {
        dev.distillery.engine.samediff.NativeSettings.useJvmDefaults();
        List<String> sets = new ArrayList<>();
        for (int i = 3; i + 1 < args.length; i += 2) {
            sets.add(args[i + 1]);
        }
        PipelineConfig cfg = ConfigLoader.load(Path.of(args[0]), sets);
        Path dir = Path.of(args[1]);
        float[][] x = IdxReader.readImages(dir.resolve("train-images-idx3-ubyte.gz"));
        int[] y = IdxReader.readLabels(dir.resolve("train-labels-idx1-ubyte.gz"));
        float[][] testX = IdxReader.readImages(dir.resolve("t10k-images-idx3-ubyte.gz"));
        int[] testY = IdxReader.readLabels(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        int limit = cfg.data().trainLimit() > 0 ? Math.min(cfg.data().trainLimit(), x.length) : x.length;
        // the same seeded validation split for every mode
        int[] order = dev.distillery.core.train.Shuffle.permutation(limit, cfg.seed());
        int nValidation = (int) Math.round(limit * cfg.data().validationFraction());
        float[][] trainX = new float[limit - nValidation][];
        int[] trainY = new int[limit - nValidation];
        long[] validationIds = new long[nValidation];
        float[][] validationX = new float[nValidation][];
        int[] validationY = new int[nValidation];
        for (int i = 0; i < limit; i++) {
            int k = order[i];
            if (i < nValidation) {
                validationIds[i] = k;
                validationX[i] = x[k];
                validationY[i] = y[k];
            } else {
                trainX[i - nValidation] = x[k];
                trainY[i - nValidation] = y[k];
            }
        }
        var validation = new Examples.LocalExamples(validationIds, validationX, validationY);
        Architecture arch = TeacherArchitecture.of(cfg.teacher(),
                new DatasetInfo(1, 28, 28, 10, List.of(), Map.of(), "parity"));
        ModelArtifact init = new ModelArtifact("teacher", arch, ParamInit.he(arch, cfg.seed()), Map.of(), null);
        SparkSession spark = null;
        for (String mode : args[2].split(",")) {
            long t0 = System.nanoTime();
            ModelArtifact best;
            double validationAccuracy;
            int bestEpoch;
            if (mode.equals("plain")) {
                Object[] r = plain(init, cfg.teacher().training(), trainX, trainY, validation, cfg.seed());
                best = (ModelArtifact) r[0];
                validationAccuracy = (double) r[1];
                bestEpoch = (int) r[2];
            } else {
                int workers = Integer.parseInt(mode.substring("spark".length()));
                if (spark == null) {
                    spark = SparkSessions.getOrCreate("local[" + Math.max(2, workers) + "]", "parity-benchmark", 4);
                }
                List<TrainRow> rows = new ArrayList<>(trainX.length);
                for (int i = 0; i < trainX.length; i++) {
                    rows.add(new TrainRow(trainX[i], trainY[i], null));
                }
                var rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, workers);
                TrainResult r = SparkTrainer.train(spark, rdd, validation, init, GraphHooks.NONE,
                        new CrossEntropyObjective(), new TrainSpec("parity", cfg.teacher().training(), workers,
                                cfg.spark().averagingFrequency(), cfg.seed(), cfg.spark().syncOptimizerEveryRound(),
                                cfg.spark().learningRateScale(workers)),
                        List.of());
                best = r.best();
                validationAccuracy = r.bestValidationAccuracy();
                bestEpoch = r.bestEpoch();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double test = SparkTrainer.accuracy(best, GraphHooks.NONE,
                    new Examples.LocalExamples(new long[testY.length], testX, testY));
            System.out.printf("RESULT %s %.4f %.4f %d %.1f%n", mode, test, validationAccuracy, bestEpoch, secs);
        }
        if (spark != null) {
            spark.stop();
        }
    }

    /** One network, one minibatch after another, with the schedule and epoch selection the Spark trainer uses. */
    private static Object[] plain(ModelArtifact init, TrainingParams p, float[][] x, int[] y,
                                  Examples.LocalExamples validation, long seed) {
        int steps = (x.length + p.batchSize() - 1) / p.batchSize();
        CosineSchedule schedule = new CosineSchedule(p.learningRate(), (int) Math.round(p.warmupEpochs() * steps),
                p.epochs() * steps, 0.02);
        Network net = Engines.network().forTraining(init.architecture(), init.params(), GraphHooks.NONE,
                new CrossEntropyObjective(), schedule, p.l2());
        ModelArtifact best = init;
        double bestAccuracy = -1;
        int bestEpoch = 0;
        for (int epoch = 0; epoch < p.epochs(); epoch++) {
            int[] order = dev.distillery.core.train.Shuffle.permutation(x.length, seed * 1_000_003L + epoch * 7919L);
            for (int b = 0; b < steps; b++) {
                int from = b * p.batchSize();
                int to = Math.min(x.length, from + p.batchSize());
                float[][] bx = new float[to - from][];
                int[] by = new int[to - from];
                for (int i = from; i < to; i++) {
                    bx[i - from] = x[order[i]];
                    by[i - from] = y[order[i]];
                }
                net.fit(bx, by, null, epoch * steps + b);
            }
            ModelArtifact current = init.withParams(net.params());
            double acc = SparkTrainer.accuracy(current, GraphHooks.NONE, validation);
            System.err.printf("plain epoch %d/%d validation %.4f%n", epoch + 1, p.epochs(), acc);
            if (acc > bestAccuracy) {
                bestAccuracy = acc;
                best = current;
                bestEpoch = epoch + 1;
            }
        }
        return new Object[]{best, bestAccuracy, bestEpoch};
    }
}
