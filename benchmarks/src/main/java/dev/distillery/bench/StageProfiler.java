package dev.distillery.bench;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JFR recording (the JDK's "profile" settings: Java samples every 10 ms, threads in native code every 20 ms) over
 * the pipeline stages, and its summary per stage: the most frequent top frames of the execution and native-method
 * samples, and the most frequent innermost Distillery frame (which part of the project's code the time is under).
 * Threads parked in a native wait (idle selectors, pollers, sleeping pools) are left out, so shares are of work.
 */
final class StageProfiler implements AutoCloseable {
    /** Native frames of threads that wait rather than work (Spark's and Netty's idle threads): not counted. */
    static final java.util.regex.Pattern IDLE = java.util.regex.Pattern.compile(
            "epollWait|EPoll\\.wait|\\.poll0?$|Unsafe\\.park|Object\\.wait|Thread\\.sleep|\\.accept0?$|socketAccept");
    private final Recording recording;

    private StageProfiler(Recording recording) {
        this.recording = recording;
    }

    static StageProfiler start() {
        try {
            Recording r = new Recording(Configuration.getConfiguration("profile"));
            r.start();
            return new StageProfiler(r);
        } catch (IOException | ParseException e) {
            throw new IllegalStateException("cannot start the JFR recording", e);
        }
    }

    void stopAndDump(Path file) {
        recording.stop();
        try {
            recording.dump(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        recording.close();
    }

    /**
     * {@code PROFILE <stage> <kind> <share of the stage's samples> <samples> <frame>} lines, kind {@code top} (leaf
     * frame) or {@code distillery} (innermost dev.distillery frame), at most {@code limit} of each per stage.
     */
    static List<String> summary(Path file, List<PipelineBenchmark.StageWindow> windows, int limit) throws IOException {
        Map<String, Map<String, Integer>> top = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> own = new LinkedHashMap<>();
        Map<String, Integer> totals = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")
                    || e.getStackTrace() == null || e.getStackTrace().getFrames().isEmpty()) {
                continue;
            }
            String stage = stageAt(windows, e.getStartTime());
            if (stage == null) {
                continue;
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (IDLE.matcher(name(frames.get(0))).find()) {
                continue;
            }
            totals.merge(stage, 1, Integer::sum);
            top.computeIfAbsent(stage, k -> new HashMap<>()).merge(name(frames.get(0)), 1, Integer::sum);
            String mine = frames.stream().map(StageProfiler::name).filter(n -> n.startsWith("dev.distillery."))
                    .findFirst().orElse("(no Distillery frame)");
            own.computeIfAbsent(stage, k -> new HashMap<>()).merge(mine, 1, Integer::sum);
        }
        List<String> lines = new ArrayList<>();
        for (PipelineBenchmark.StageWindow w : windows) {
            int total = totals.getOrDefault(w.stage(), 0);
            lines.addAll(rank(w.stage(), "top", top.getOrDefault(w.stage(), Map.of()), total, limit));
            lines.addAll(rank(w.stage(), "distillery", own.getOrDefault(w.stage(), Map.of()), total, limit));
        }
        return lines;
    }

    private static List<String> rank(String stage, String kind, Map<String, Integer> counts, int total, int limit) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
                .map(en -> String.format("PROFILE %s %s %.3f %d %s", stage, kind, (double) en.getValue() / total,
                        en.getValue(), en.getKey()))
                .toList();
    }

    private static String stageAt(List<PipelineBenchmark.StageWindow> windows, java.time.Instant t) {
        for (PipelineBenchmark.StageWindow w : windows) {
            if (!t.isBefore(w.from()) && t.isBefore(w.to())) {
                return w.stage();
            }
        }
        return null;
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}
