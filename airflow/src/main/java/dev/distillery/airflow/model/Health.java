package dev.distillery.airflow.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Health of Airflow's components ({@code metadatabase}, {@code scheduler}, ...) as the server reports it. */
public record Health(Map<String, String> components) {
    public Health {
        components = Map.copyOf(components);
    }

    public static Health fromJson(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode status = e.getValue().get("status");
            out.put(e.getKey(), status == null || status.isNull() ? "unknown" : status.asText());
        }
        return new Health(out);
    }

    /** True when every component the server reported says "healthy". */
    public boolean healthy() {
        return !components.isEmpty() && components.values().stream().allMatch("healthy"::equals);
    }
}
