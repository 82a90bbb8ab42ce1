package dev.distillery.airflow.model;

import com.fasterxml.jackson.databind.JsonNode;

/** A DAG as Airflow lists it. */
public record Dag(String dagId, boolean paused) {
    public Dag {
        if (dagId == null || dagId.isBlank()) {
            throw new IllegalArgumentException("dag id must not be blank");
        }
    }

    public static Dag fromJson(JsonNode node) {
        return new Dag(Json.required(node, "dag_id", "DAG"), node.path("is_paused").asBoolean(false));
    }
}
