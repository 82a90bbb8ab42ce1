package dev.distillery.airflow.model;

import java.util.List;

/** The log of one try of a task, every page joined, one entry per line. */
public record TaskLog(String taskId, int tryNumber, List<String> lines) {
    public TaskLog {
        lines = List.copyOf(lines);
    }

    /** The last {@code n} lines (all of them when there are fewer). */
    public List<String> tail(int n) {
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}
