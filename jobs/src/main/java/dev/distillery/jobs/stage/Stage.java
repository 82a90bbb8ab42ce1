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

    /** Does the work, writing only into {@code workDir}. */
    StageResult run(StageContext ctx, Path workDir);
}
