package dev.distillery.jobs.cli;

import dev.distillery.core.error.DataContractException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds or fetches Fashion-MNIST for the demo: a cache folder, the files of Debian's {@code dataset-fashion-mnist}
 * package when installed, or that package downloaded with {@code apt-get download} and unpacked (no root needed).
 */
final class DemoData {
    static final List<String> FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
    static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private DemoData() {
    }

    static Path ensure(Path cache, PrintStream out) {
        if (complete(cache)) {
            return cache;
        }
        try {
            Files.createDirectories(cache);
            if (complete(DEBIAN_DIR)) {
                out.println("Fashion-MNIST: copying " + DEBIAN_DIR + " -> " + cache);
                copy(DEBIAN_DIR, cache);
                return cache;
            }
            out.println("Fashion-MNIST: fetching Debian package dataset-fashion-mnist into " + cache);
            Path tmp = Files.createTempDirectory("distillery-fmnist");
            try {
                run(tmp, "apt-get", "download", "dataset-fashion-mnist");
            } catch (IOException first) {
                // A fresh machine may have no package lists yet; refreshing them needs root.
                if (!"root".equals(System.getProperty("user.name"))) {
                    throw first;
                }
                run(tmp, "apt-get", "update", "-qq");
                run(tmp, "apt-get", "download", "dataset-fashion-mnist");
            }
            Path deb;
            try (var files = Files.list(tmp)) {
                deb = files.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new IOException("apt-get download produced no .deb"));
            }
            Path root = tmp.resolve("root");
            run(tmp, "dpkg-deb", "-x", deb.toString(), root.toString());
            copy(root.resolve("usr/share/datasets/fashion-mnist"), cache);
            if (complete(cache)) {
                return cache;
            }
            throw new IOException("the package did not contain " + FILES);
        } catch (IOException e) {
            throw new DataContractException("cannot obtain Fashion-MNIST (" + e.getMessage() + "). Install the Debian "
                    + "package dataset-fashion-mnist, or download the four files " + FILES
                    + " from the Fashion-MNIST project and pass their folder with --data DIR.", e);
        }
    }

    static boolean complete(Path dir) {
        return FILES.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
    }

    private static void copy(Path from, Path to) throws IOException {
        for (String f : FILES) {
            Path tmp = to.resolve(f + ".part");
            Files.copy(from.resolve(f), tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, to.resolve(f), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static void run(Path dir, String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
