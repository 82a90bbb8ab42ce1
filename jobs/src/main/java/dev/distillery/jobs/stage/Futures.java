package dev.distillery.jobs.stage;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** Results of work a stage ran on its own threads, with failures rethrown as the work threw them. */
final class Futures {
    private Futures() {
    }

    /** The result; an unchecked failure rethrown as it was thrown, an interrupt as an error naming {@code doing}. */
    static <T> T get(Future<T> work, String doing) {
        try {
            return work.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + doing, e);
        }
    }

    /** Interrupts the pool's work and waits up to a minute for it to stop (after a failure, before reporting it). */
    static void stop(ExecutorService pool) {
        pool.shutdownNow();
        try {
            pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
