package dev.distillery.evaluation.report;

import java.util.Objects;

/** A file the export stage wrote for a variant in one deployment format: its path in the run folder and size. */
public record Artifact(String path, long bytes) {
    public Artifact {
        Objects.requireNonNull(path, "path");
        if (bytes <= 0) {
            throw new IllegalArgumentException("artifact " + path + " must have a positive size, was " + bytes);
        }
    }
}
