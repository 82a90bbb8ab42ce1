package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.InvalidConfigException;

import java.util.List;

/**
 * How the label stage runs the teacher (the engine for a Distillery teacher: ONNX Runtime on its ONNX export, or
 * SameDiff; an ONNX teacher always runs in ONNX Runtime) and stores soft labels: storage mode ({@code dense-float32}, {@code dense-float16},
 * {@code top-k}), k for top-k, the number of augmented views per training example, extra teachers of an ensemble
 * and how their outputs are combined, whether an ensemble run also stores the run's own teacher's labels alone (so
 * that a single-teacher student can be compared with the ensemble one), and the temperature recorded as a hint
 * for distillation.
 */
public record LabelConfig(
        String engine,
        String storage,
        @JsonProperty("top_k") int topK,
        int views,
        AugmentConfig augment,
        List<String> teachers,
        String ensemble,
        @JsonProperty("compare_single_teacher") boolean compareSingleTeacher,
        @JsonProperty("temperature_hint") double temperatureHint) {

    public static final List<String> STORAGE_MODES = List.of("dense-float32", "dense-float16", "top-k");
    public static final List<String> ENSEMBLE_MODES = List.of("mean-logits", "mean-probabilities");

    public static final List<String> ENGINES = List.of("onnxruntime", "samediff");

    public LabelConfig {
        Check.required("label.engine", engine);
        if (!ENGINES.contains(engine)) {
            throw new InvalidConfigException("label.engine must be one of " + ENGINES + ", was " + engine);
        }
        Check.required("label.storage", storage);
        if (!STORAGE_MODES.contains(storage)) {
            throw new InvalidConfigException("label.storage must be one of " + STORAGE_MODES + ", was " + storage);
        }
        Check.positive("label.top_k", topK);
        Check.positive("label.views", views);
        Check.required("label.augment", augment).check("label.augment");
        teachers = teachers == null ? List.of() : List.copyOf(teachers);
        for (int i = 0; i < teachers.size(); i++) {
            Check.required("label.teachers[" + i + "]", teachers.get(i));
        }
        Check.required("label.ensemble", ensemble);
        if (!ENSEMBLE_MODES.contains(ensemble)) {
            throw new InvalidConfigException("label.ensemble must be one of " + ENSEMBLE_MODES + ", was " + ensemble);
        }
        Check.positive("label.temperature_hint", temperatureHint);
        if (views > 1 && !augment.any()) {
            throw new InvalidConfigException("label.views is " + views + " but label.augment changes nothing: set at "
                    + "least one of label.augment.shift_pixels, flip, crop_pixels or noise_std");
        }
    }
}
