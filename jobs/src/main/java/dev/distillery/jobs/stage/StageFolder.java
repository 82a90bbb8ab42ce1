package dev.distillery.jobs.stage;

import java.nio.file.Path;

/**
 * A stage's output folder under {@code --out}. Stages and commands reach each other's outputs only through the
 * folders and {@link StageFile files} the writing stage declares, never by spelling folder names (tests may spell
 * them, to pin the layout users see).
 */
public record StageFolder(String name) {
    public StageFolder {
        if (name == null || name.isBlank() || name.contains("/") || name.startsWith(".")) {
            throw new IllegalArgumentException("a stage folder is one plain name under --out, got '" + name + "'");
        }
    }

    public Path dir(StageContext ctx) {
        return dir(ctx.outRoot());
    }

    public Path dir(Path outRoot) {
        return outRoot.resolve(name);
    }

    /** A file or folder this stage writes inside its folder. */
    public StageFile file(String file) {
        return new StageFile(this, file);
    }
}
