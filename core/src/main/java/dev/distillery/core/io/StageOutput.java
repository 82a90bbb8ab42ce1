package dev.distillery.core.io;

import dev.distillery.core.manifest.Manifest;
import dev.distillery.core.manifest.ManifestIO;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;

/**
 * A stage's output folder written atomically: everything goes to a hidden work folder beside the target, the
 * manifest is written last, and only then is the work folder renamed into place. A crash leaves at most a
 * hidden {@code .name.work-*} folder, never a folder that looks finished; a previous result is replaced only
 * after the new one is complete.
 */
public final class StageOutput implements AutoCloseable {
    private final Path target;
    private final Path work;
    private boolean committed;
    private boolean keepCheckpoints;

    private StageOutput(Path target, Path work) {
        this.target = target;
        this.work = work;
    }

    public static StageOutput begin(Path target) {
        try {
            Path parent = target.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path work = parent.resolve("." + target.getFileName() + ".work-" + UUID.randomUUID().toString().substring(0, 8));
            Files.createDirectories(work);
            return new StageOutput(target.toAbsolutePath(), work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Continues in the newest work folder an interrupted or failed attempt left behind (its checkpoints are what a
     * resumed training starts from); starts a new one when there is none.
     */
    public static StageOutput resume(Path target) {
        Path parent = target.toAbsolutePath().getParent();
        String prefix = "." + target.getFileName() + ".";
        try (var files = Files.list(parent)) {
            var newest = files.filter(Files::isDirectory)
                    .filter(p -> p.getFileName().toString().startsWith(prefix + "work-")
                            || p.getFileName().toString().startsWith(prefix + "failed-"))
                    .max(java.util.Comparator.comparing(p -> p.toFile().lastModified()));
            if (newest.isPresent()) {
                return new StageOutput(target.toAbsolutePath(), newest.get());
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return begin(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return begin(target);
    }

    /** Folder to write into until {@link #commit}. */
    public Path dir() {
        return work;
    }

    /**
     * A training stage's failed or interrupted attempt keeps its work folder when it holds checkpoints (a
     * SIGTERM, a lost cluster, an I/O error), so that {@code --resume} can continue from them; it stays hidden.
     */
    public StageOutput keepCheckpointsOnFailure() {
        this.keepCheckpoints = true;
        return this;
    }

    /** Whether closing now, uncommitted, would keep the work folder for a resume. */
    public boolean keepsCheckpoints() {
        if (!keepCheckpoints) {
            return false;
        }
        Path checkpoints = work.resolve("checkpoints");
        try (var files = Files.list(checkpoints)) {
            return files.findAny().isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    public Path target() {
        return target;
    }

    public void commit(Manifest manifest) {
        ManifestIO.write(manifest, work);
        try {
            Path old = null;
            if (Files.exists(target)) {
                old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID().toString().substring(0, 8));
                move(target, old);
            }
            try {
                move(work, target);
            } catch (IOException e) {
                if (old != null) {
                    move(old, target);
                }
                throw e;
            }
            committed = true;
            if (old != null) {
                deleteTree(old);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + work + " into place at " + target, e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /**
     * Keeps a failed stage's work folder (its checkpoints) under a hidden name that no stage reads as finished.
     * @return where it was kept
     */
    public Path keepFailed() {
        Path kept = target.resolveSibling("." + target.getFileName() + ".failed-"
                + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try {
            move(work, kept);
            committed = true;
            return kept;
        } catch (IOException e) {
            return work;
        }
    }

    @Override
    public void close() {
        if (!committed && !keepsCheckpoints()) {
            deleteTree(work);
        }
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
