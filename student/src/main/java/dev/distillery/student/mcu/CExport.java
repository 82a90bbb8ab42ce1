package dev.distillery.student.mcu;

import java.nio.file.Path;

/**
 * One exported model: the folder holding {@code <prefix>.h} and {@code <prefix>.c}, the C identifier prefix and the
 * size of the activation arena the source declares.
 */
public record CExport(Path directory, String prefix, long arenaBytes) {

    public Path header() {
        return directory.resolve(prefix + ".h");
    }

    public Path source() {
        return directory.resolve(prefix + ".c");
    }
}
