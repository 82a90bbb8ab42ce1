package dev.distillery.student.testing;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.engine.CrossEntropyObjective;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.train.PreciseBatchNorm;
import dev.distillery.core.engine.Network;
import dev.distillery.core.engine.ConstantRate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small Fashion-MNIST architectures, He initialisation and a minimal Adam training loop for tests. */
public final class TestModels {
    private static final Map<String, ModelArtifact> TRAINED = new LinkedHashMap<>();

    private TestModels() {
    }

    /** conv8 3x3 → relu → maxpool 2 → flatten → dense 10: the smallest useful CNN student. */
    public static Architecture tinyCnn() {
        return new Architecture("tiny-cnn", 1, 28, 28, 10, List.of(
                new LayerSpec.Conv2d(8, 3, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10)));
    }

    /**
     * A depthwise-separable student: conv, a stride-2 depthwise conv on an even-sized map (asymmetric SAME padding),
     * a pointwise conv, max-pool between convolution and relu, and dense layers.
     */
    public static Architecture separableCnn() {
        return new Architecture("separable-cnn", 1, 28, 28, 10, List.of(
                new LayerSpec.Conv2d(8, 3, 1), new LayerSpec.MaxPool(2), new LayerSpec.Relu(),
                new LayerSpec.DepthwiseConv2d(3, 2), new LayerSpec.Relu(),
                new LayerSpec.Conv2d(16, 1, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
                new LayerSpec.Flatten(), new LayerSpec.Dense(32), new LayerSpec.Relu(), new LayerSpec.Dense(10)));
    }

    /** He-normal weights, zero biases, reproducible from the seed. */
    public static ModelArtifact randomModel(Architecture arch, long seed) {
        Random rnd = new Random(seed);
        Map<String, float[]> params = new LinkedHashMap<>();
        for (LayerInfo info : arch.layerInfos()) {
            if (info.batchNorm()) {
                dev.distillery.core.model.ParamInit.putBatchNorm(info, params);
                continue;
            }
            if (!info.spec().hasWeights()) {
                continue;
            }
            int[] s = info.weightShape();
            int fanIn = info.spec() instanceof LayerSpec.DepthwiseConv2d ? s[0] * s[1]
                    : (int) (info.weightCount() / info.outChannels());
            double std = Math.sqrt(2.0 / fanIn);
            float[] w = new float[(int) info.weightCount()];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (rnd.nextGaussian() * std);
            }
            params.put(info.weightName(), w);
            params.put(info.biasName(), new float[(int) info.biasCount()]);
        }
        return new ModelArtifact("student", arch, params, Map.of("seed", Long.toString(seed)), null);
    }

    /**
     * Minibatch Adam with cross-entropy over {@code x}, cycling through it in a seeded order; batch norm statistics
     * are then computed over the first 1,024 rows of {@code x}.
     */
    public static ModelArtifact train(ModelArtifact model, GraphHooks hooks, float[][] x, int[] y, int steps,
                                      int batch, double lr, long seed) {
        Network net = Engines.network().forTraining(model.architecture(), model.params(), hooks,
                new CrossEntropyObjective(), new ConstantRate(lr), 0);
        Random rnd = new Random(seed);
        int[] order = new int[x.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int pos = x.length;
        for (int step = 0; step < steps; step++) {
            float[][] bx = new float[batch][];
            int[] by = new int[batch];
            for (int b = 0; b < batch; b++) {
                if (pos == x.length) {
                    shuffle(order, rnd);
                    pos = 0;
                }
                bx[b] = x[order[pos]];
                by[b] = y[order[pos]];
                pos++;
            }
            net.fit(bx, by, null, step);
        }
        ModelArtifact trained = PreciseBatchNorm.withTrainable(model, net.params());
        return PreciseBatchNorm.refresh(trained, hooks, java.util.Arrays.copyOf(x, Math.min(x.length,
                PreciseBatchNorm.SAMPLE_ROWS)));
    }

    /** A float student trained for {@code steps} Adam steps on the first 2,000 training images; cached per JVM. */
    public static synchronized ModelArtifact trainedFloat(Architecture arch, int steps) {
        return TRAINED.computeIfAbsent(arch.name() + "/" + steps, k -> train(randomModel(arch, 7), GraphHooks.NONE,
                FashionMnist.trainImages(2000), FashionMnist.trainLabels(2000), steps, 64, 3e-3, 11));
    }

    public static int argmax(float[] v) {
        return dev.distillery.core.train.SparkTrainer.argmax(v);
    }

    private static void shuffle(int[] a, Random rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
