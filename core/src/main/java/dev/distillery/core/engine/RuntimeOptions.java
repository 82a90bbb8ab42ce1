package dev.distillery.core.engine;

/**
 * How an inference runtime may use the machine.
 *
 * @param intraOpThreads threads one inference may use; 0 leaves the choice to the runtime (all cores)
 * @param spinning       whether idle worker threads spin waiting for work (lower latency, burns a core)
 */
public record RuntimeOptions(int intraOpThreads, boolean spinning) {
    /** The runtime's own defaults: what a latency measurement of one model on an idle machine wants. */
    public static final RuntimeOptions DEFAULT = new RuntimeOptions(0, true);
    /**
     * One thread per inference, on the calling thread, never spinning: what a Spark task wants, since Spark already
     * runs one task per core and a spinning pool would take cycles from the other tasks.
     */
    public static final RuntimeOptions PER_TASK = new RuntimeOptions(1, false);

    public RuntimeOptions {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op threads must be >= 0, was " + intraOpThreads);
        }
    }
}
