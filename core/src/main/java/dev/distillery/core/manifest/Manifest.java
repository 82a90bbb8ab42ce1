package dev.distillery.core.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * Provenance of one stage's output folder: what config and inputs made it, with which seed and versions, how
 * long it took and how many rows it wrote, its files with their hashes ({@code outputs}) and the models among them
 * by variant name ({@code models}), from which later stages learn what exists. A stage whose manifest matches its inputs and config is skipped.
 */
public record Manifest(
        String stage,
        @JsonProperty("config_hash") String configHash,
        @JsonProperty("input_hashes") Map<String, String> inputHashes,
        long seed,
        Map<String, String> versions,
        @JsonProperty("git_commit") String gitCommit,
        @JsonProperty("started_at") String startedAt,
        @JsonProperty("finished_at") String finishedAt,
        @JsonProperty("duration_seconds") double durationSeconds,
        @JsonProperty("row_counts") Map<String, Long> rowCounts,
        Map<String, Object> metrics,
        Map<String, String> outputs,
        Map<String, ModelOutput> models) {
}
