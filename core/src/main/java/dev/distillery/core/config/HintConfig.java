package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.InvalidConfigException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hint (FitNets) distillation: the student's activation at {@code student_layer}, passed through a learned
 * projection, is pulled towards the teacher's activation at {@code teacher_layer} with weight {@code weight} beside
 * the Hinton loss. Layers are named by their index in the architecture's layer list, as {@code 4} or {@code L4};
 * both must be ReLU outputs, which the distill stage checks against the two architectures. With neither layer set,
 * hint distillation is off.
 */
public record HintConfig(
        @JsonProperty("teacher_layer") String teacherLayer,
        @JsonProperty("student_layer") String studentLayer,
        Double weight) implements java.io.Serializable {

    private static final Pattern LAYER = Pattern.compile("L?(\\d{1,6})");

    /** Hint distillation switched off. */
    public static final HintConfig OFF = new HintConfig(null, null, null);

    public HintConfig {
        teacherLayer = blankToNull(teacherLayer);
        studentLayer = blankToNull(studentLayer);
        if ((teacherLayer == null) != (studentLayer == null)) {
            throw new InvalidConfigException("distill.hint needs both teacher_layer and student_layer; "
                    + (teacherLayer == null ? "distill.hint.teacher_layer" : "distill.hint.student_layer")
                    + " is missing (set neither to switch hint distillation off)");
        }
        if (teacherLayer != null) {
            index("distill.hint.teacher_layer", teacherLayer);
            index("distill.hint.student_layer", studentLayer);
        }
        weight = weight == null ? 1.0 : weight;
        Check.positive("distill.hint.weight", weight);
    }

    /** Whether a hint is configured. */
    public boolean enabled() {
        return teacherLayer != null;
    }

    /** Index of the teacher's hint layer in its architecture's layer list. */
    public int teacherIndex() {
        return index("distill.hint.teacher_layer", teacherLayer);
    }

    /** Index of the student's guided layer in its architecture's layer list. */
    public int studentIndex() {
        return index("distill.hint.student_layer", studentLayer);
    }

    private static int index(String path, String value) {
        if (value == null) {
            throw new IllegalStateException(path + " is not set");
        }
        Matcher m = LAYER.matcher(value.trim());
        if (!m.matches()) {
            throw new InvalidConfigException(path + " must name a layer by its index, as 4 or L4, was '" + value + "'");
        }
        return Integer.parseInt(m.group(1));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
