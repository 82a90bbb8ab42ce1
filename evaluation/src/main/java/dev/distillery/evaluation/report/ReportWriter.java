package dev.distillery.evaluation.report;

import dev.distillery.core.error.TransientFailureException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes report.json, report.md, report.html and one model card per recommended variant into a folder, all or
 * nothing: the files go to a hidden sibling
 * folder first and only a complete set is renamed into place, so a crash leaves either the previous report or
 * the new one, never a mix or a half-written file. The target folder belongs to the report and is replaced whole.
 */
public final class ReportWriter {
    public static final String JSON_FILE = "report.json";
    public static final String MARKDOWN_FILE = "report.md";
    public static final String HTML_FILE = "report.html";

    private ReportWriter() {
    }

    /** Renders the report and atomically replaces {@code dir} with a folder holding the three files. */
    public static Path write(Report report, Path dir) {
        // Render before touching the disk: a rendering bug must not cost the previous report.
        String json = JsonReport.render(report);
        String markdown = MarkdownReport.render(report);
        String html = HtmlReport.render(report);
        java.util.Map<String, String> cards = new java.util.LinkedHashMap<>();
        ModelCard.cards(report).forEach((variant, profiles) ->
                cards.put(ModelCard.fileName(variant), ModelCard.render(report, variant, profiles)));
        Path target = dir.toAbsolutePath().normalize();
        Path work = sibling(target, "tmp");
        try {
            Files.createDirectories(target.getParent());
            Files.createDirectory(work);
            writeSynced(work.resolve(JSON_FILE), json);
            writeSynced(work.resolve(MARKDOWN_FILE), markdown);
            writeSynced(work.resolve(HTML_FILE), html);
            for (java.util.Map.Entry<String, String> card : cards.entrySet()) {
                writeSynced(work.resolve(card.getKey()), card.getValue());
            }
            swapIn(work, target);
            return target;
        } catch (IOException e) {
            deleteQuietly(work);
            throw new TransientFailureException("could not write the report to " + target + ": " + e, e);
        }
    }

    /** Names of the model-card files {@link #write} puts next to the report, one per recommended variant. */
    public static java.util.List<String> modelCardFiles(Report report) {
        return ModelCard.cards(report).keySet().stream().map(ModelCard::fileName).toList();
    }

    private static void swapIn(Path work, Path target) throws IOException {
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new IOException(target + " exists and is not a folder");
        }
        if (!Files.exists(target)) {
            move(work, target);
            return;
        }
        // Directories cannot be renamed over non-empty ones, so park the old report first; a crash between the
        // two renames leaves no report folder at all, which readers treat as "not done".
        Path old = sibling(target, "old");
        move(target, old);
        try {
            move(work, target);
        } catch (IOException e) {
            // Put the previous report back so that a failed run does not cost the last good one.
            try {
                move(old, target);
            } catch (IOException restore) {
                e.addSuppressed(restore);
            }
            throw e;
        }
        deleteQuietly(old);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to + " cannot rename atomically", e);
        }
    }

    private static void writeSynced(Path file, String content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            // Without this the rename can reach the disk before the data, and a power cut shows empty files.
            ch.force(true);
        }
    }

    private static Path sibling(Path target, String purpose) {
        return target.resolveSibling("." + target.getFileName() + "." + purpose + "-"
                + UUID.randomUUID().toString().substring(0, 8));
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // Leftover hidden folders are harmless; failing the report over cleanup would not be.
        }
    }
}
