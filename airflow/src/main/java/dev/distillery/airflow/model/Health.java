package dev.distillery.airflow.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Health of Airflow's components as the server reports them: {@code components} holds those that report a status
 * ({@code metadatabase}, {@code scheduler}, ...); {@code unreported} those listed with a null status, which is how
 * Airflow answers for a component that has never run here (Airflow 2 without a standalone DAG processor, any version
 * without a triggerer).
 */
public record Health(Map<String, String> components, Set<String> unreported) {
    public Health {
        components = Map.copyOf(components);
        unreported = Set.copyOf(unreported);
    }

    public Health(Map<String, String> components) {
        this(components, Set.of());
    }

    public static Health fromJson(JsonNode node) {
        Map<String, String> reported = new LinkedHashMap<>();
        Set<String> silent = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode status = e.getValue().get("status");
            if (status == null || status.isNull()) {
                silent.add(e.getKey());
            } else {
                reported.put(e.getKey(), status.asText());
            }
        }
        return new Health(reported, silent);
    }

    /**
     * True when at least one component reports a status and every one that does says "healthy". A component with a
     * null status is not judged: it is not part of this deployment (Airflow 2 runs the DAG processor inside the
     * scheduler unless told otherwise, and reports the standalone one as null).
     */
    public boolean healthy() {
        return !components.isEmpty() && components.values().stream().allMatch("healthy"::equals);
    }
}
