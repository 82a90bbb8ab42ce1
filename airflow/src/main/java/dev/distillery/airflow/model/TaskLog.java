package dev.distillery.airflow.model;

import java.util.List;

/**
 * The log of one try of a task (of one map index; -1 when the task is not mapped), every page joined, one entry per
 * line. {@code taskOutput} says whether any line came from the task itself rather than from Airflow's notes on
 * where it looked for the log ({@code ***} lines on Airflow 2, the "Log message source details" group on Airflow 3):
 * a try that never ran has none.
 */
public record TaskLog(String taskId, int mapIndex, int tryNumber, List<String> lines, boolean taskOutput) {
    public TaskLog {
        lines = List.copyOf(lines);
    }

    /** The task id, with the map index when the task is mapped. */
    public String label() {
        return mapIndex < 0 ? taskId : taskId + "[" + mapIndex + "]";
    }

    /** The last {@code n} lines (all of them when there are fewer). */
    public List<String> tail(int n) {
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}
