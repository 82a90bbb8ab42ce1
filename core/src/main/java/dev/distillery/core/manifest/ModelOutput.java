package dev.distillery.core.manifest;

/**
 * A model a stage wrote, as its manifest lists it under the variant name reports use: the report's kind of
 * variant (e.g. {@code student-kd}) and the file, relative to the stage's folder.
 */
public record ModelOutput(String kind, String file) {
}
