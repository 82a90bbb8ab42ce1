package dev.distillery.jobs.cli;

import dev.distillery.core.error.DistilleryException;
import dev.distillery.core.spark.SparkFailures;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/** Maps exceptions to the documented exit codes and prints a one-paragraph error. */
final class Exits {
    static final int INTERNAL = 1;

    private Exits() {
    }

    static int of(Throwable e, PrintStream err) {
        DistilleryException d = find(e);
        if (d != null) {
            err.println("error: " + d.getMessage());
            if (d.retryable()) {
                err.println("(transient failure: running the same command again may succeed)");
            }
            return d.exitCode();
        }
        // A stage names the input it could not read; these conditions reach here only from a read no stage guards.
        Optional<SparkFailures.Condition> badInput = SparkFailures.find(e, SparkFailures.UNREADABLE_FILE)
                .or(() -> SparkFailures.find(e, SparkFailures.BAD_VALUE));
        if (badInput.isPresent()) {
            err.println("error: " + badInput.get().firstLine());
            debugTrace(e, err);
            return DistilleryException.EXIT_BAD_INPUT;
        }
        if (isTransient(e)) {
            err.println("error (transient, safe to retry): " + e);
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                err.println("  caused by: " + t);
            }
            debugTrace(e, err);
            return DistilleryException.EXIT_TRANSIENT;
        }
        err.println("internal error: " + e);
        e.printStackTrace(err);
        return INTERNAL;
    }

    private static void debugTrace(Throwable e, PrintStream err) {
        if (System.getenv("DISTILLERY_DEBUG") != null) {
            e.printStackTrace(err);
        }
    }

    private static DistilleryException find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DistilleryException d) {
                return d;
            }
        }
        return null;
    }

    /**
     * Failures of the infrastructure, not of the input or the code: jobs Spark gave up because its context shut
     * down, lost executors and fetch failures, RPC failures, I/O.
     */
    static boolean isTransient(Throwable e) {
        if (SparkFailures.find(e, SparkFailures.INTERRUPTED).isPresent()) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String type = t.getClass().getName();
            if (t instanceof java.net.ConnectException || t instanceof java.util.concurrent.TimeoutException
                    || type.startsWith("org.apache.spark.rpc.") || type.endsWith(".FetchFailedException")
                    || SparkFailures.isClusterAbort(t) || SparkFailures.isStoppedContext(t)) {
                return true;
            }
            if ((t instanceof IOException || t instanceof UncheckedIOException)
                    && !(t instanceof java.nio.file.AccessDeniedException)
                    && !(t instanceof java.nio.file.FileAlreadyExistsException)
                    && !(t instanceof java.nio.file.NotDirectoryException)) {
                return true;
            }
        }
        return false;
    }
}
