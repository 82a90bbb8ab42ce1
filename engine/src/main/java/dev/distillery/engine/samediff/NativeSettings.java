package dev.distillery.engine.samediff;

import dev.distillery.core.engine.NativeAllocator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The two native settings that decide the engine's speed on small networks (about 10x each way), applied by
 * Distillery itself so that no launch path depends on the user remembering them: JavaCPP's physical-memory polling
 * off, and one OpenMP thread per JVM thread doing engine work, because Spark's tasks already use every core.
 * An explicit {@code OMP_NUM_THREADS} or {@code -Dorg.bytedeco.javacpp.maxPhysicalBytes} wins.
 */
public final class NativeSettings {
    static final String MAX_PHYSICAL = "org.bytedeco.javacpp.maxPhysicalBytes";
    static final String MAX_BYTES = "org.bytedeco.javacpp.maxBytes";
    private static final ThreadLocal<Boolean> LIMITED = ThreadLocal.withInitial(() -> false);
    private static final int THREADS = threadsPerTask();

    static {
        List<String> missing = NativeAllocator.missing();
        if (!missing.isEmpty()) {
            LoggerFactory.getLogger(NativeSettings.class).warn("this JVM runs the native engine without {} in its"
                    + " environment: every training step will fault in fresh pages for its tensors (a teacher step"
                    + " is about 1.4x slower); bin/distillery and Distillery's executors set {}", missing,
                    NativeAllocator.ENVIRONMENT);
        }
    }

    private NativeSettings() {
    }

    /**
     * Turns JavaCPP's memory polling off unless configured; effective only before the native engine's first use
     * in this JVM, so a program's {@code main} calls it first.
     */
    public static void useJvmDefaults() {
        for (String key : new String[]{MAX_PHYSICAL, MAX_BYTES}) {
            if (System.getProperty(key) == null) {
                System.setProperty(key, "0");
            }
        }
    }

    /**
     * Limits OpenMP on the calling thread. OpenMP's thread count is per calling thread, and Spark runs tasks on
     * pooled threads, so every engine entry point calls this; after the first call on a thread it costs a lookup.
     */
    public static void limitThreads() {
        if (THREADS > 0 && !LIMITED.get()) {
            limitEngineThreads(THREADS);
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(THREADS);
            LIMITED.set(true);
        }
    }

    /**
     * The engine's own parallel loops size their OpenMP teams from its JVM-wide "master threads" limit (read once
     * from OMP_NUM_THREADS at start-up, else every core), not from the calling thread's OpenMP setting, so that
     * limit is lowered too: without it two Spark tasks each ran two-thread loops on two cores, 24% slower. (The
     * engine's other limit, {@code maxThreads}, cannot be changed after start-up: ND4J 1.0.0-M2.1 ignores the call.)
     */
    static synchronized void limitEngineThreads(int threads) {
        var env = Nd4j.getEnvironment();
        if (env.maxMasterThreads() != threads) {
            env.setMaxMasterThreads(threads);
        }
    }

    /** Threads per engine call: {@code -Ddistillery.native.threads}, else 1 unless OMP_NUM_THREADS is set (0: leave). */
    static int threadsPerTask() {
        String env = System.getenv("OMP_NUM_THREADS");
        return Integer.getInteger("distillery.native.threads", env == null || env.isBlank() ? 1 : 0);
    }
}
