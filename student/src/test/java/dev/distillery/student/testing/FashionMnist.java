package dev.distillery.student.testing;

import dev.distillery.core.data.IdxReader;

import java.nio.file.Path;
import java.util.Arrays;

/** Fashion-MNIST as installed by Debian's dataset-fashion-mnist package, read once per JVM. */
public final class FashionMnist {
    private static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");
    private static float[][] trainImages;
    private static int[] trainLabels;
    private static float[][] testImages;
    private static int[] testLabels;

    private FashionMnist() {
    }

    public static synchronized float[][] trainImages(int n) {
        if (trainImages == null) {
            trainImages = IdxReader.readImages(DIR.resolve("train-images-idx3-ubyte.gz"));
            trainLabels = IdxReader.readLabels(DIR.resolve("train-labels-idx1-ubyte.gz"));
        }
        return Arrays.copyOf(trainImages, n);
    }

    public static synchronized int[] trainLabels(int n) {
        trainImages(0);
        return Arrays.copyOf(trainLabels, n);
    }

    public static synchronized float[][] testImages(int n) {
        if (testImages == null) {
            testImages = IdxReader.readImages(DIR.resolve("t10k-images-idx3-ubyte.gz"));
            testLabels = IdxReader.readLabels(DIR.resolve("t10k-labels-idx1-ubyte.gz"));
        }
        return Arrays.copyOf(testImages, n);
    }

    public static synchronized int[] testLabels(int n) {
        testImages(0);
        return Arrays.copyOf(testLabels, n);
    }
}
