package dev.distillery.engine.samediff;

import dev.distillery.core.engine.NativeAllocator;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Returns the native engine's buffers to the system promptly. ND4J frees an array's off-heap buffer only when the
 * Java wrapper is garbage collected, and with JavaCPP's memory polling switched off (it dominated the profile)
 * nothing asks for a collection: a training loop then holds gigabytes of dead buffers until the heap fills
 * (the demo's QAT stage passed 20 GB of RSS and stalled the driver before this existed).
 *
 * <p>Most of a step's tensor wrappers die young, so a young collection frees their buffers, and a JVM whose young
 * generation is bounded to {@value #BOUNDED_YOUNG_MIB} MiB or less ({@link NativeAllocator#YOUNG_GENERATION_OPTION},
 * which every Distillery launch path passes) runs young collections every second or so by itself. Wrappers that
 * were promoted before they died still need a full collection: such a JVM gets one every
 * {@value #BOUNDED_EVERY} training steps (without any, the demo's QAT stage grew past 24 GB again). Any other JVM
 * gets one every {@value #UNBOUNDED_EVERY} steps, and inference batches count apart ({@link #inferenceBatch()}).
 * In a Spark JVM each full collection stops every thread for about 100 ms whatever the rows held;
 * {@code -Ddistillery.gc.every=N} sets the interval, 0 turns them off.
 */
public final class NativeMemory {
    static final long BOUNDED_YOUNG_MIB = 512;
    static final long BOUNDED_EVERY = 100;
    static final long UNBOUNDED_EVERY = 25;
    private static final Long CONFIGURED = Long.getLong("distillery.gc.every");
    private static final long EVERY = interval(CONFIGURED, youngGenerationBounded());
    private static final long INFERENCE_EVERY = interval(CONFIGURED, false);
    private static final AtomicLong STEPS = new AtomicLong();
    private static final AtomicLong INFERENCES = new AtomicLong();

    private NativeMemory() {
    }

    /** Counts one training step; collects every N steps, JVM-wide. */
    public static void step() {
        count(STEPS, EVERY);
    }

    /**
     * Counts one inference batch. Batches of hundreds of rows leave more native garbage than a training step, and
     * the longer interval let the demo's evaluate stage reach 12.2 GB of RSS against 8.7, so these always collect
     * every {@value #UNBOUNDED_EVERY} batches (or the configured interval).
     */
    public static void inferenceBatch() {
        count(INFERENCES, INFERENCE_EVERY);
    }

    private static void count(AtomicLong units, long every) {
        if (every > 0 && units.incrementAndGet() % every == 0) {
            System.gc();
        }
    }

    /** Engine steps between full collections: the configured interval, else the one for the JVM's young generation. */
    static long interval(Long configured, boolean youngBounded) {
        return configured != null ? configured : youngBounded ? BOUNDED_EVERY : UNBOUNDED_EVERY;
    }

    /** Whether this JVM's young generation is small enough that its own collections keep up with the engine. */
    static boolean youngGenerationBounded() {
        return maxYoungBytes() <= BOUNDED_YOUNG_MIB << 20;
    }

    private static long maxYoungBytes() {
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return Long.parseLong(bean.getVMOption("MaxNewSize").getValue());
        } catch (RuntimeException | LinkageError e) {
            return Long.MAX_VALUE;   // not a HotSpot JVM, or no such option: keep the shorter interval
        }
    }
}
