package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** The whole pipeline's configuration, one nested record per concern; built by {@link ConfigLoader}. */
public record PipelineConfig(
        String name,
        long seed,
        DataConfig data,
        SparkSettings spark,
        TeacherConfig teacher,
        LabelConfig label,
        StudentConfig student,
        DistillConfig distill,
        PruneConfig prune,
        QuantConfig qat,
        PtqConfig ptq,
        EvaluationConfig evaluation,
        @JsonIgnore com.fasterxml.jackson.databind.JsonNode tree) {

    public PipelineConfig {
        Check.required("name", name);
        Check.required("data", data);
        Check.required("spark", spark);
        Check.required("teacher", teacher);
        Check.required("label", label);
        Check.required("student", student);
        Check.required("distill", distill);
        Check.required("prune", prune);
        Check.required("qat", qat);
        Check.required("ptq", ptq);
        Check.required("evaluation", evaluation);
    }

    /** SHA-256 over the canonical JSON of the named top-level sections: a stage's config identity. */
    public String hashOf(String... sections) {
        return ConfigLoader.hashSections(tree, sections);
    }
}
