package dev.distillery.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak heap and peak resident set size of one stage run inside a longer-lived JVM. Heap peaks come from the memory
 * pools (reset at the start); the RSS high-water mark is reset through Linux's {@code /proc/self/clear_refs}, so it
 * covers the stage alone, including memory earlier stages still hold. Where the reset is refused, the figure is the
 * process's peak so far and says so.
 */
final class StageMemory {
    private final boolean rssReset;

    private StageMemory(boolean rssReset) {
        this.rssReset = rssReset;
    }

    /** Peak heap in bytes, peak RSS in bytes, and whether the RSS peak covers this stage or the whole process. */
    record Peak(long heapBytes, long rssBytes, String rssScope) {
    }

    static StageMemory reset() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        boolean reset;
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            reset = true;
        } catch (IOException | UnsupportedOperationException e) {
            reset = false;
        }
        return new StageMemory(reset);
    }

    Peak peak() {
        long heap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heap += pool.getPeakUsage().getUsed();
            }
        }
        return new Peak(heap, highWaterMark(), rssReset ? "stage" : "process");
    }

    /** VmHWM of /proc/self/status in bytes, 0 where the file does not exist. */
    static long highWaterMark() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }
}
