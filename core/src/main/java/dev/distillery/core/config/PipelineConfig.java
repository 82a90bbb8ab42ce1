package dev.distillery.core.config;

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
        EvaluationConfig evaluation) {

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

    /**
     * SHA-256 over the canonical JSON of the named top-level sections as bound: a stage's config identity. Hashing
     * the bound records rather than the YAML makes {@code --set distill.temperature=4} and {@code temperature: 4.0}
     * the same config, as they are to every stage that reads it.
     */
    public String hashOf(String... sections) {
        return ConfigLoader.hashSections(this, sections);
    }
}
