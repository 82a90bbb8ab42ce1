package dev.distillery.core.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The C allocator settings every process that runs the native engine gets. The engine allocates each intermediate
 * tensor of a training step with malloc and frees it as soon as the step is done with it; glibc's defaults hand
 * buffers above 128 KiB back to the kernel on free (mmap, or a trim of the heap top), so the next step touches fresh
 * pages again: page faults and their zeroing were 30% of a teacher step. Keeping freed memory in the process (mmap
 * only above 32 MiB, glibc's ceiling for that setting; trim only above 4 GiB of free heap top; grow the heap 256 MiB
 * at a time) made a teacher step 1.4x faster (docs/benchmarks-notes.md, "Native allocator"). The values are read by
 * glibc once, when the process starts, so they travel as environment variables: {@code bin/distillery} exports
 * them, executors get them through {@code spark.executorEnv.*} ({@code SparkSessions}), and a process started
 * without them says so once ({@link #missing()}).
 */
public final class NativeAllocator {
    /**
     * The JVM option every process that runs the engine gets beside the variables: a young generation of at most
     * 128 MiB. Most wrappers of a step's tensors die young, and young collections that come every second or so free
     * their native buffers, so the engine forces a full collection every 100 steps instead of every 25 (NativeMemory
     * in the engine module; docs/benchmarks-notes.md, "Young collections instead of most forced ones").
     */
    public static final String YOUNG_GENERATION_OPTION = "-XX:MaxNewSize=128m";

    /** Variable name to value; an explicit setting in the environment wins everywhere. */
    public static final Map<String, String> ENVIRONMENT = environment();

    private NativeAllocator() {
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MALLOC_MMAP_THRESHOLD_", String.valueOf(32L << 20));
        env.put("MALLOC_TRIM_THRESHOLD_", String.valueOf(4L << 30));
        env.put("MALLOC_TOP_PAD_", String.valueOf(256L << 20));
        return Map.copyOf(env);
    }

    /** The settings this process was started without, in a fixed order; empty when all are present. */
    public static java.util.List<String> missing() {
        return ENVIRONMENT.keySet().stream().sorted().filter(k -> System.getenv(k) == null).toList();
    }
}
