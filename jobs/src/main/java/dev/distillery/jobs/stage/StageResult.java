package dev.distillery.jobs.stage;

import dev.distillery.core.manifest.ModelOutput;

import java.util.LinkedHashMap;
import java.util.Map;

/** What a stage reports for its manifest: row counts, metrics, named outputs, and the models among them. */
public final class StageResult {
    private final Map<String, Long> rowCounts = new LinkedHashMap<>();
    private final Map<String, Object> metrics = new LinkedHashMap<>();
    private final Map<String, String> outputs = new LinkedHashMap<>();
    private final Map<String, ModelOutput> models = new LinkedHashMap<>();
    private int exitCode;

    public StageResult rows(String name, long count) {
        rowCounts.put(name, count);
        return this;
    }

    public StageResult metric(String name, Object value) {
        metrics.put(name, value);
        return this;
    }

    public StageResult output(String name, String relativePath) {
        outputs.put(name, relativePath);
        return this;
    }

    /**
     * A model file the stage wrote, under the variant name the report gives it and the report's kind of variant;
     * later stages learn from these which models exist. The file is also an output, hashed under {@code key}.
     */
    public StageResult model(String key, String variant, String kind, StageFile file) {
        models.put(variant, new ModelOutput(kind, file.name()));
        return output(key, file.name());
    }

    /** A stage that finished its output but whose verdict is a failure (a gate) sets a non-zero exit code. */
    public StageResult exitCode(int code) {
        this.exitCode = code;
        return this;
    }

    public Map<String, Long> rowCounts() {
        return rowCounts;
    }

    public Map<String, Object> metrics() {
        return metrics;
    }

    public Map<String, String> outputs() {
        return outputs;
    }

    public Map<String, ModelOutput> models() {
        return models;
    }

    public int exitCode() {
        return exitCode;
    }
}
