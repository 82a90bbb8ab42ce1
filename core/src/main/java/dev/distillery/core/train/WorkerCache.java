package dev.distillery.core.train;

import dev.distillery.core.engine.Network;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-JVM cache of each partition's training arrays and network, so that rounds after the first neither
 * re-read the data nor rebuild the graph. A task that lands on a JVM without the entry rebuilds it from the
 * partition's rows, so the cache is an optimisation, never a requirement.
 */
final class WorkerCache {
    /** A partition's rows and network; {@code syncedEpoch} is the epoch whose starting optimizer state it loaded. */
    static final class Entry {
        private final PackedRows features;
        private final int[] labels;
        private final PackedRows teacher;
        private final Network net;
        int syncedEpoch = -1;

        Entry(PackedRows features, int[] labels, PackedRows teacher, Network net) {
            this.features = features;
            this.labels = labels;
            this.teacher = teacher;
            this.net = net;
        }

        PackedRows features() {
            return features;
        }

        int[] labels() {
            return labels;
        }

        PackedRows teacher() {
            return teacher;
        }

        Network net() {
            return net;
        }
    }

    private static final Map<String, Entry> ENTRIES = new ConcurrentHashMap<>();
    private static final Deque<String> RUNS = new ArrayDeque<>();
    private static final int MAX_RUNS = 2;

    private WorkerCache() {
    }

    static Entry getOrLoad(String runId, int partition, java.util.function.Supplier<Entry> loader) {
        register(runId);
        // Per-key atomic: partitions load in parallel, one partition loads once.
        return ENTRIES.computeIfAbsent(runId + "/" + partition, k -> loader.get());
    }

    private static synchronized void register(String runId) {
        if (!RUNS.contains(runId)) {
            RUNS.addLast(runId);
            while (RUNS.size() > MAX_RUNS) {
                evict(RUNS.removeFirst());
            }
        }
    }

    static synchronized void evict(String runId) {
        RUNS.remove(runId);
        ENTRIES.keySet().removeIf(k -> k.startsWith(runId + "/"));
    }
}
