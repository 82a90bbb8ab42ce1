package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.InvalidConfigException;

import java.util.List;

/**
 * The teacher: where it comes from ({@code distillery}: the CNN of conv-relu-pool blocks and one hidden dense layer
 * that train-teacher trains; {@code onnx}: a model trained elsewhere, see {@link OnnxTeacherConfig}), how it is
 * trained (with {@code augment}, every epoch sees a fresh random view of every training example), and the label
 * stage's inference batch.
 */
public record TeacherConfig(
        String source,
        OnnxTeacherConfig onnx,
        String architecture,
        List<dev.distillery.core.model.LayerSpec> layers,
        List<Integer> hidden,
        double dropout,
        @JsonProperty("batch_norm") boolean batchNorm,
        @JsonProperty("width_multiplier") double widthMultiplier,
        @JsonProperty("conv_filters") List<Integer> convFilters,
        @JsonProperty("dense_units") int denseUnits,
        int epochs,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("learning_rate") double learningRate,
        double l2,
        @JsonProperty("warmup_epochs") double warmupEpochs,
        @JsonProperty("label_batch_size") int labelBatchSize,
        AugmentConfig augment) {

    public static final String DISTILLERY = "distillery";
    public static final String ONNX = "onnx";
    public static final List<String> SOURCES = List.of(DISTILLERY, ONNX);
    /** Architectures by name; {@code layers} takes the list in {@code teacher.layers}. */
    public static final List<String> ARCHITECTURES = List.of("cnn", "mlp", "ds-cnn", "mobilenet-v1", "resnet8",
            "layers");

    public TeacherConfig {
        Check.required("teacher.source", source);
        if (!SOURCES.contains(source)) {
            throw new InvalidConfigException("teacher.source must be one of " + SOURCES + ", was " + source);
        }
        Check.required("teacher.onnx", onnx);
        Check.required("teacher.architecture", architecture);
        if (!ARCHITECTURES.contains(architecture)) {
            throw new InvalidConfigException("teacher.architecture must be one of " + ARCHITECTURES + ", was "
                    + architecture);
        }
        layers = layers == null ? List.of() : List.copyOf(layers);
        for (int i = 0; i < layers.size(); i++) {
            Check.required("teacher.layers[" + i + "]", layers.get(i));
        }
        if (architecture.equals("layers") && layers.isEmpty()) {
            throw new InvalidConfigException("teacher.architecture is layers but teacher.layers lists none");
        }
        Check.required("teacher.hidden", hidden);
        if (hidden.isEmpty() || hidden.stream().anyMatch(u -> u == null || u < 1)) {
            throw new InvalidConfigException("teacher.hidden must list positive unit counts, was " + hidden);
        }
        hidden = List.copyOf(hidden);
        if (!(dropout >= 0 && dropout < 1)) {
            throw new InvalidConfigException("teacher.dropout must be in [0, 1), was " + dropout);
        }
        if (!(widthMultiplier > 0) || !Double.isFinite(widthMultiplier)) {
            throw new InvalidConfigException("teacher.width_multiplier must be > 0, was " + widthMultiplier);
        }
        if (ONNX.equals(source) && onnx.model() == null) {
            throw new InvalidConfigException("teacher.source is onnx but teacher.onnx.model names no model file");
        }
        Check.required("teacher.conv_filters", convFilters);
        if (convFilters.isEmpty() || convFilters.stream().anyMatch(f -> f == null || f < 1)) {
            throw new InvalidConfigException("teacher.conv_filters must list positive filter counts, was " + convFilters);
        }
        convFilters = List.copyOf(convFilters);
        Check.positive("teacher.dense_units", denseUnits);
        Check.positive("teacher.label_batch_size", labelBatchSize);
        Check.required("teacher.augment", augment).check("teacher.augment");
        if (augment.any() && ONNX.equals(source) && !onnx.translate()) {
            throw new InvalidConfigException("teacher.augment is set but the teacher is an ONNX model that "
                    + "train-teacher does not train (teacher.onnx.translate is false)");
        }
        TrainingParams.of("teacher", epochs, batchSize, learningRate, l2, warmupEpochs);
    }

    /**
     * Whether the teacher is an ONNX model trained elsewhere that label and evaluate run as it is (ONNX Runtime), so
     * that train-teacher has nothing to do.
     */
    public boolean fromOnnx() {
        return ONNX.equals(source) && !onnx.translate();
    }

    /** Whether train-teacher translates the ONNX model into Distillery's layers and trains it further. */
    public boolean translatesOnnx() {
        return ONNX.equals(source) && onnx.translate();
    }

    public TrainingParams training() {
        return new TrainingParams(epochs, batchSize, learningRate, l2, warmupEpochs);
    }
}
