package dev.distillery.airflow.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

/** A DAG run: its id, state, logical date (may be null on Airflow 3) and the conf it was triggered with. */
public record DagRun(String dagId, String runId, String state, String logicalDate, String startDate,
                     String endDate, JsonNode conf) {
    public DagRun {
        if (runId == null || runId.isBlank()) {
            throw new IllegalArgumentException("run id must not be blank");
        }
        state = state == null ? "none" : state;
        conf = conf == null ? NullNode.getInstance() : conf;
    }

    /** Airflow 2 calls the logical date {@code execution_date} in older answers; both are read. */
    public static DagRun fromJson(JsonNode node) {
        String logical = Json.text(node, "logical_date");
        if (logical == null) {
            logical = Json.text(node, "execution_date");
        }
        return new DagRun(Json.required(node, "dag_id", "DAG run"), Json.required(node, "dag_run_id", "DAG run"),
                Json.text(node, "state"), logical, Json.text(node, "start_date"), Json.text(node, "end_date"),
                node.get("conf"));
    }

    /** Success and failed are the only states a DAG run does not leave by itself. */
    public boolean finished() {
        return succeeded() || failed();
    }

    public boolean succeeded() {
        return "success".equals(state);
    }

    public boolean failed() {
        return "failed".equals(state);
    }
}
