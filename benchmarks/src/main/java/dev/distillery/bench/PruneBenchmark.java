package dev.distillery.bench;

import dev.distillery.core.data.IdxReader;
import dev.distillery.core.engine.Engines;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.train.SparkTrainer;
import dev.distillery.engine.samediff.NativeSettings;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Test accuracy, parameters, MACs, file bytes and weight sparsity of float model files on the 10,000
 * Fashion-MNIST test images, each measured on its own (no figure stands in for another).
 * Usage: {@code PruneBenchmark <fashion-mnist dir> <label=model.dmodel>...}; prints one
 * {@code RESULT label test_accuracy params macs bytes sparsity} line per model.
 */
public final class PruneBenchmark {
    private PruneBenchmark() {
    }

    public static void main(String[] args) {
        NativeSettings.useJvmDefaults();
        Path data = Path.of(args[0]);
        float[][] x = IdxReader.readImages(data.resolve("t10k-images-idx3-ubyte.gz"));
        int[] y = IdxReader.readLabels(data.resolve("t10k-labels-idx1-ubyte.gz"));
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            Path file = Path.of(kv[1]);
            ModelArtifact m = ModelIO.read(file);
            int[] pred = SparkTrainer.predict(Engines.network().forInference(m.architecture(), m.params(), GraphHooks.NONE),
                    x, 1000);
            int correct = 0;
            for (int r = 0; r < y.length; r++) {
                correct += pred[r] == y[r] ? 1 : 0;
            }
            System.out.printf(Locale.ROOT, "RESULT %s %.4f %d %d %d %.4f%n", kv[0], (double) correct / y.length,
                    m.architecture().parameterCount(), m.architecture().macs(), file.toFile().length(),
                    m.weightSparsity());
        }
    }
}
