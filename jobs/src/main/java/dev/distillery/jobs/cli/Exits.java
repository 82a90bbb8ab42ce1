package dev.distillery.jobs.cli;

import dev.distillery.core.error.DistilleryException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

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
        if (isTransient(e)) {
            err.println("error (transient, safe to retry): " + e);
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                err.println("  caused by: " + t);
            }
            if (System.getenv("DISTILLERY_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return DistilleryException.EXIT_TRANSIENT;
        }
        err.println("internal error: " + e);
        e.printStackTrace(err);
        return INTERNAL;
    }

    private static DistilleryException find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DistilleryException d) {
                return d;
            }
        }
        return null;
    }

    /** Failures of the infrastructure, not of the input or the code: lost executors, fetch and RPC failures, I/O. */
    private static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String name = t.getClass().getName();
            String msg = String.valueOf(t.getMessage());
            if (t instanceof java.net.ConnectException || t instanceof java.util.concurrent.TimeoutException
                    || name.startsWith("org.apache.spark.rpc.") || name.endsWith("FetchFailedException")
                    || name.endsWith("ExecutorLostFailure") || msg.contains("ExecutorLostFailure")
                    || msg.contains("FetchFailed") || msg.contains("SparkContext has been shutdown")) {
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
