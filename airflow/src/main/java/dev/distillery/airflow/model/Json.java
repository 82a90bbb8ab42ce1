package dev.distillery.airflow.model;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads optional fields of Airflow's JSON answers. */
final class Json {
    private Json() {
    }

    /** The text of a field, or null when it is absent or JSON null. */
    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** The text of a required field; a missing one means the answer is not what the API documents. */
    static String required(JsonNode node, String field, String what) {
        String v = text(node, field);
        if (v == null) {
            throw new IllegalArgumentException(what + " in Airflow's answer has no '" + field + "' field: " + node);
        }
        return v;
    }
}
