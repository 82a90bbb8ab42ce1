package dev.distillery.jobs.stage;

import java.nio.file.Path;
import java.util.List;

/** One pipeline stage: where it writes, what it depends on, and the work itself. */
public interface Stage {
    /** CLI name, e.g. {@code train-teacher}. */
    String name();

    /** Its folder under {@code --out}, which it declares with the files later stages read there. */
    StageFolder output();

    /** Top-level config sections whose values define this stage's result. */
    List<String> configSections();

    /** Files or folders this stage reads; their hashes go into the manifest. */
    List<Path> inputs(StageContext ctx);

    /**
     * Inputs that are not local files (a model on a Hadoop file system), by URI, with their SHA-256; they go into
     * the manifest beside {@link #inputs}.
     */
    default java.util.Map<String, String> remoteInputs(StageContext ctx) {
        return java.util.Map.of();
    }

    /** Checks config and inputs before any expensive work, so bad input fails fast. */
    default void validate(StageContext ctx) {
    }

    /** Whether --resume may continue this stage in an interrupted attempt's work folder (training stages). */
    default boolean resumable() {
        return false;
    }

    /** Whether the configuration turns this stage off. */
    default boolean enabled(StageContext ctx) {
        return true;
    }

    /** What the console says when {@link #enabled} is false. */
    default String disabledReason(StageContext ctx) {
        return "disabled by configuration";
    }

    /** Does the work, writing only into {@code workDir}. */
    StageResult run(StageContext ctx, Path workDir);
}
