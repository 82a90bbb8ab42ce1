package dev.distillery.engine.samediff;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Returns the native engine's buffers to the system promptly. ND4J frees an array's off-heap buffer only when the
 * Java wrapper is garbage collected, and with JavaCPP's memory polling switched off (it dominated the profile)
 * nothing asks for a collection: a training loop then holds gigabytes of dead buffers until the heap fills
 * (the demo's QAT stage passed 20 GB of RSS and stalled the driver before this existed).
 */
public final class NativeMemory {
    private static final long EVERY = Long.getLong("distillery.gc.every", 25);
    private static final AtomicLong STEPS = new AtomicLong();

    private NativeMemory() {
    }

    /** Counts one unit of engine work (a training step or an inference batch); collects every N units, JVM-wide. */
    public static void step() {
        if (EVERY > 0 && STEPS.incrementAndGet() % EVERY == 0) {
            System.gc();
        }
    }
}
