package dev.distillery.airflow.fake;

import java.util.LinkedHashMap;
import java.util.Map;

/** One moment in a scripted DAG run: the run's state and each task's state and try number. */
public record Snapshot(String runState, Map<String, String> taskStates, Map<String, Integer> tries) {
    public Snapshot {
        taskStates = new LinkedHashMap<>(taskStates);
        tries = new LinkedHashMap<>(tries);
    }

    /** {@code of("running", "prepare", "success", 1, "train_teacher", "running", 1)}: state and try per task. */
    public static Snapshot of(String runState, Object... taskStateTry) {
        Map<String, String> states = new LinkedHashMap<>();
        Map<String, Integer> tries = new LinkedHashMap<>();
        for (int i = 0; i < taskStateTry.length; i += 3) {
            states.put((String) taskStateTry[i], (String) taskStateTry[i + 1]);
            tries.put((String) taskStateTry[i], (Integer) taskStateTry[i + 2]);
        }
        return new Snapshot(runState, states, tries);
    }
}
