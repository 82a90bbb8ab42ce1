package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.InvalidConfigException;

import java.util.List;

/**
 * The student architecture: {@code ds-cnn} (a stem convolution then depthwise-separable blocks, each followed by
 * 2x2 max pooling while the map is larger than 7x7) or {@code mlp} (hidden dense layers); widths scale by
 * {@code width_multiplier}, and {@code repeats} sets the depth: how many depthwise-separable blocks of each width
 * follow one another (empty: one each). {@code batch_norm} puts a batch norm after every convolution and hidden
 * dense layer, before its ReLU; the distill stage saves the student with them folded into those layers.
 * {@code layers}: the list in {@code layers}, which must use only the layers every later stage can take.
 */
public record StudentConfig(
        String type,
        @JsonProperty("stem_filters") int stemFilters,
        List<Integer> blocks,
        List<Integer> repeats,
        List<Integer> hidden,
        @JsonProperty("width_multiplier") double widthMultiplier,
        @JsonProperty("max_teacher_fraction") double maxTeacherFraction,
        @JsonProperty("batch_norm") boolean batchNorm,
        List<dev.distillery.core.model.LayerSpec> layers) {

    public StudentConfig {
        Check.required("student.type", type);
        if (!List.of("ds-cnn", "mlp", "layers").contains(type)) {
            throw new InvalidConfigException("student.type must be ds-cnn, mlp or layers, was " + type);
        }
        layers = layers == null ? List.of() : List.copyOf(layers);
        for (int i = 0; i < layers.size(); i++) {
            Check.required("student.layers[" + i + "]", layers.get(i));
        }
        if (type.equals("layers") && layers.isEmpty()) {
            throw new InvalidConfigException("student.type is layers but student.layers lists none");
        }
        Check.positive("student.stem_filters", stemFilters);
        blocks = blocks == null ? List.of() : List.copyOf(blocks);
        hidden = hidden == null ? List.of() : List.copyOf(hidden);
        repeats = repeats == null ? List.of() : List.copyOf(repeats);
        if (repeats.stream().anyMatch(r -> r == null || r < 1)) {
            throw new InvalidConfigException("student.repeats must list positive block counts, was " + repeats);
        }
        if (!repeats.isEmpty() && repeats.size() != blocks.size()) {
            throw new InvalidConfigException("student.repeats must give one count per entry of student.blocks ("
                    + blocks.size() + "), has " + repeats.size() + ": " + repeats);
        }
        if (blocks.stream().anyMatch(b -> b == null || b < 1)) {
            throw new InvalidConfigException("student.blocks must list positive filter counts, was " + blocks);
        }
        if (hidden.stream().anyMatch(h -> h == null || h < 1)) {
            throw new InvalidConfigException("student.hidden must list positive unit counts, was " + hidden);
        }
        Check.positive("student.width_multiplier", widthMultiplier);
        Check.range("student.max_teacher_fraction", maxTeacherFraction, 0.0, 1.0, true);
        if (maxTeacherFraction == 0) {
            throw new InvalidConfigException("student.max_teacher_fraction must be > 0, was 0.0");
        }
    }

    /** A student without batch norm. */
    public StudentConfig(String type, int stemFilters, List<Integer> blocks, List<Integer> repeats, List<Integer> hidden,
                         double widthMultiplier, double maxTeacherFraction) {
        this(type, stemFilters, blocks, repeats, hidden, widthMultiplier, maxTeacherFraction, false);
    }

    /** A student built from its type's parameters, not a layer list. */
    public StudentConfig(String type, int stemFilters, List<Integer> blocks, List<Integer> repeats, List<Integer> hidden,
                         double widthMultiplier, double maxTeacherFraction, boolean batchNorm) {
        this(type, stemFilters, blocks, repeats, hidden, widthMultiplier, maxTeacherFraction, batchNorm, List.of());
    }

    /** Blocks of width {@code blocks[i]} stacked one after another. */
    public int repeatsOf(int block) {
        return repeats.isEmpty() ? 1 : repeats.get(block);
    }
}
