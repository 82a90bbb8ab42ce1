package dev.distillery.student.mcu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the toolchain's commands with a deadline, keeping their combined output for the error message. */
final class Commands {
    private static final int OUTPUT_TAIL = 4000;

    private Commands() {
    }

    /** The exit status and combined stdout/stderr of one command. */
    record Result(int exit, String output) {
    }

    /** Runs {@code command} in {@code dir}; fails unless it exits with 0. */
    static String run(List<String> command, Path dir, Duration timeout) {
        Result r = runAllowingFailure(command, dir, timeout);
        if (r.exit() != 0) {
            throw new McuToolException("`" + String.join(" ", command) + "` in " + dir + " exited with " + r.exit()
                    + ":\n" + tail(r.output()), false);
        }
        return r.output();
    }

    static Result runAllowingFailure(List<String> command, Path dir, Duration timeout) {
        Path log = null;
        try {
            // a file per call: builds for two targets run at once in the same toolchain folder
            log = Files.createTempFile(dir, ".command-output-", "");
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!waitFor(process, timeout)) {
                process.destroyForcibly().waitFor();
                throw new McuToolException("`" + String.join(" ", command) + "` in " + dir + " did not finish within "
                        + timeout.toSeconds() + " s:\n" + tail(read(log)), true);
            }
            return new Result(process.exitValue(), read(log));
        } catch (IOException e) {
            throw new McuToolException("cannot run `" + String.join(" ", command) + "` in " + dir + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new McuToolException("interrupted while running `" + String.join(" ", command) + "`", e);
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException e) {
                    // a leftover log in the build folder is harmless
                }
            }
        }
    }

    /** Waits for the process; an interrupt kills it before passing on, so no tool outlives a cancelled stage. */
    private static boolean waitFor(Process process, Duration timeout) throws InterruptedException {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** Whether {@code tool} is an executable file in one of the folders of {@code path} (PATH syntax). */
    static boolean onPath(String tool, String path) {
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    private static String tail(String output) {
        return output.length() <= OUTPUT_TAIL ? output : "..." + output.substring(output.length() - OUTPUT_TAIL);
    }
}
