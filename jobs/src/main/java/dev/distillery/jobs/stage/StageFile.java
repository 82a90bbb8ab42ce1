package dev.distillery.jobs.stage;

import java.nio.file.Path;

/** A file or folder a stage writes inside its {@link StageFolder}, as later stages and commands find it. */
public record StageFile(StageFolder folder, String name) {
    /** Where it is in the run under {@code ctx}'s {@code --out}. */
    public Path path(StageContext ctx) {
        return folder.dir(ctx).resolve(name);
    }

    /** Where it is in the run under {@code outRoot}. */
    public Path path(Path outRoot) {
        return folder.dir(outRoot).resolve(name);
    }

    /** Where the writing stage puts it in its work folder, before the folder is committed. */
    public Path in(Path workDir) {
        return workDir.resolve(name);
    }

    /** A file inside this one, when this is a folder: {@code ptq/} gives {@code ptq/<name>}. */
    public StageFile child(String file) {
        return new StageFile(folder, name + "/" + file);
    }

    /** "folder/name", the path relative to {@code --out} that model lineage records. */
    public String relative() {
        return folder.name() + "/" + name;
    }
}
