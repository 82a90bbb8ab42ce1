package dev.distillery.airflow.model;

import com.fasterxml.jackson.databind.JsonNode;

/** The Airflow release a server runs, and which REST API version the client speaks to it. */
public record VersionInfo(String version, String gitVersion) {
    public static VersionInfo fromJson(JsonNode node) {
        return new VersionInfo(Json.required(node, "version", "version"), Json.text(node, "git_version"));
    }
}
