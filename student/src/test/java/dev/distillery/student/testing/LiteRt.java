package dev.distillery.student.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs .tflite models in LiteRT.js (Google's TFLite runtime, XNNPACK compiled to WebAssembly) under Node.js through
 * {@code tools/litert/run-tflite.mjs}. The repository root is the nearest folder above the working directory that
 * holds {@code tools/litert}; the runtime is what {@code npm ci --prefix tools/litert} installs there.
 */
public final class LiteRt {
    /** What one run of the script reports and returns. */
    public record Run(byte[] outputs, String summary) {
    }

    private final Path script;

    private LiteRt(Path script) {
        this.script = script;
    }

    /**
     * The runner, or a test abort naming what is missing: node on PATH (Debian/NodeSource package {@code nodejs}) or
     * the npm package ({@code npm ci --prefix tools/litert}). When the environment variable CI is "true" a missing
     * tool fails the test instead, so CI cannot pass by skipping it.
     */
    public static LiteRt require() {
        Path root = repositoryRoot();
        String problem = null;
        if (root == null) {
            problem = "no tools/litert folder above " + Path.of("").toAbsolutePath();
        } else if (findNode() == null) {
            problem = "node (Node.js 20) is not on PATH; install the nodejs package, then run "
                    + "`npm ci --prefix tools/litert`";
        } else if (!Files.isDirectory(root.resolve("tools/litert/node_modules/@litertjs/core/wasm"))) {
            problem = "LiteRT.js is not installed in " + root.resolve("tools/litert/node_modules")
                    + "; run `npm ci --prefix tools/litert` in the repository root";
        }
        if (problem != null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true and the TFLite runtime test cannot run: " + problem);
            }
            System.err.println("**** SKIPPED: LiteRT.js test: " + problem + " ****");
            Assumptions.abort("LiteRT.js test skipped: " + problem);
        }
        return new LiteRt(root.resolve("tools/litert/run-tflite.mjs"));
    }

    /** Runs {@code rows} (uint8 input rows back to back) through {@code model}; returns the uint8 outputs. */
    public Run run(Path model, byte[] rows, Path workDir) {
        try {
            Path in = Files.createTempFile(workDir, "litert-in-", ".bin");
            Path out = Files.createTempFile(workDir, "litert-out-", ".bin");
            Path log = Files.createTempFile(workDir, "litert-", ".log");
            try {
                Files.write(in, rows);
                Process p = new ProcessBuilder(List.of(findNode().toString(), script.toString(), model.toString(),
                        in.toString(), out.toString()))
                        .redirectErrorStream(false).redirectError(log.toFile()).start();
                String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!p.waitFor(30, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError("LiteRT.js run of " + model + " did not finish in 30 minutes");
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError("LiteRT.js run of " + model + " failed (exit " + p.exitValue() + "): "
                            + stdout + "\n" + Files.readString(log));
                }
                String[] lines = stdout.split("\n");
                return new Run(Files.readAllBytes(out), lines[lines.length - 1]);
            } finally {
                Files.deleteIfExists(in);
                Files.deleteIfExists(out);
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The nearest folder at or above the working directory that holds tools/litert, or null. */
    public static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("tools/litert"))) {
                return dir;
            }
        }
        return null;
    }

    private static Path findNode() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path node = Path.of(dir, "node");
            if (Files.isExecutable(node)) {
                return node;
            }
        }
        return null;
    }
}
