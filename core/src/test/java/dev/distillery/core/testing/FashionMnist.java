package dev.distillery.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where tests find the real Fashion-MNIST files (Debian's dataset-fashion-mnist, installed by .ci/run). */
public final class FashionMnist {
    public static final Path DIR = Path.of(System.getenv().getOrDefault("DISTILLERY_FASHION_MNIST",
            "/usr/share/datasets/fashion-mnist"));

    private FashionMnist() {
    }

    public static Path file(String name) {
        Path p = DIR.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("test data " + p + " is missing: install the Debian package "
                    + "dataset-fashion-mnist (.ci/run does) or set DISTILLERY_FASHION_MNIST");
        }
        return p;
    }
}
