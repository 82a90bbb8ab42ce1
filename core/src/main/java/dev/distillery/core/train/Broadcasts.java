package dev.distillery.core.train;

import org.apache.spark.broadcast.Broadcast;

/** Releases the trainer's per-round broadcasts so that Spark's ContextCleaner finds nothing left to remove. */
final class Broadcasts {
    private Broadcasts() {
    }

    /**
     * Removes a broadcast's blocks from every block manager, the driver's included, before returning. Spark's public
     * {@code destroy()} only starts that removal; once the trainer drops the wrapper and the JVM collects it (the
     * engine asks for a collection every 25 steps), the ContextCleaner removes the same blocks again, and the two
     * removals race on the driver's block manager: the loser logs {@code ERROR ContextCleaner: Error cleaning
     * broadcast N} with a stack trace ("Block broadcast_N does not exist"). A finished removal leaves the cleaner an
     * empty block list, and nothing is kept until a collection happens to come. {@code destroy(boolean)} is
     * qualified-private in Scala and public in the bytecode.
     */
    static void release(Broadcast<?> broadcast) {
        if (broadcast != null) {
            broadcast.destroy(true);
        }
    }
}
