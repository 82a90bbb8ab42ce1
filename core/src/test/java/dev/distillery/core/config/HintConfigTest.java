package dev.distillery.core.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.distillery.core.error.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** distill.hint: off unless both layers are named, layers by index or L-name, a positive weight. */
class HintConfigTest {
    private static PipelineConfig config(String... sets) {
        return ConfigLoader.fromTree(JsonNodeFactory.instance.objectNode(), List.of(sets), "test");
    }

    private static void rejects(String message, String... sets) {
        assertThatThrownBy(() -> config(sets)).as(String.join(" ", sets)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(message);
    }

    @Test
    void hintIsOffByDefault() {
        assertThat(config().distill().hint().enabled()).isFalse();
    }

    @Test
    void namesLayersByIndexOrLName() {
        HintConfig hint = config("distill.hint.teacher_layer=4", "distill.hint.student_layer=L6").distill().hint();
        assertThat(hint.enabled()).isTrue();
        assertThat(hint.teacherIndex()).isEqualTo(4);
        assertThat(hint.studentIndex()).isEqualTo(6);
        assertThat(hint.weight()).isEqualTo(1.0);
    }

    @Test
    void takesTheWholeHintAsOneValue() {
        HintConfig hint = config("distill.hint={teacher_layer: L1, student_layer: 1, weight: 0.25}").distill().hint();
        assertThat(hint.teacherIndex()).isEqualTo(1);
        assertThat(hint.studentIndex()).isEqualTo(1);
        assertThat(hint.weight()).isEqualTo(0.25);
    }

    @Test
    void rejectsAHintWithOneLayerOnly() {
        rejects("distill.hint.student_layer is missing", "distill.hint.teacher_layer=4");
        rejects("distill.hint.teacher_layer is missing", "distill.hint.student_layer=L6");
    }

    @Test
    void rejectsLayerNamesThatAreNotIndices() {
        rejects("distill.hint.teacher_layer must name a layer by its index, as 4 or L4, was 'relu2'",
                "distill.hint.teacher_layer=relu2", "distill.hint.student_layer=6");
        rejects("distill.hint.student_layer must name a layer by its index", "distill.hint.teacher_layer=4",
                "distill.hint.student_layer=-1");
    }

    @Test
    void rejectsANonPositiveWeight() {
        rejects("distill.hint.weight must be > 0, was 0.0", "distill.hint.teacher_layer=4",
                "distill.hint.student_layer=6", "distill.hint.weight=0");
        rejects("distill.hint.weight must be > 0, was -1.0", "distill.hint.weight=-1");
    }

    @Test
    void rejectsUnknownHintKeys() {
        rejects("unknown key distill.hint.layer", "distill.hint.layer=4");
    }
}
