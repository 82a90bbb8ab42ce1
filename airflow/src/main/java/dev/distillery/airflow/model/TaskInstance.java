package dev.distillery.airflow.model;

import com.fasterxml.jackson.databind.JsonNode;

/** One task of a DAG run: its state ("none" before it is scheduled), try number and times. */
public record TaskInstance(String taskId, int mapIndex, String state, int tryNumber, String startDate,
                           String endDate) {
    public TaskInstance {
        if (taskId == null || taskId.isBlank()) {
            throw new IllegalArgumentException("task id must not be blank");
        }
        state = state == null ? "none" : state;
    }

    public static TaskInstance fromJson(JsonNode node) {
        return new TaskInstance(Json.required(node, "task_id", "task instance"), node.path("map_index").asInt(-1),
                Json.text(node, "state"), node.path("try_number").asInt(0), Json.text(node, "start_date"),
                Json.text(node, "end_date"));
    }

    /** The task id, with the map index when the task is mapped. */
    public String label() {
        return mapIndex < 0 ? taskId : taskId + "[" + mapIndex + "]";
    }
}
