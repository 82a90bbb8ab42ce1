package dev.distillery.student.hint;

import dev.distillery.core.config.HintConfig;
import dev.distillery.core.config.StudentConfig;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.HintPlan;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.TensorShape;
import dev.distillery.student.arch.StudentArchitecture;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hint layers checked against the Fashion-MNIST teacher and the default ds-cnn and mlp students. */
class HintPlanTest {
    private static final DatasetInfo FASHION = new DatasetInfo(1, 28, 28, 10, List.of(), Map.of(), "test");

    /** The default teacher: L1 relu [32x28x28], L4 relu [64x14x14], L8 relu [128]. */
    static Architecture teacher(int size) {
        return new Architecture("teacher-cnn-32-64-d128", 1, size, size, 10, List.of(
                new LayerSpec.Conv2d(32, 3, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
                new LayerSpec.Conv2d(64, 3, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
                new LayerSpec.Flatten(), new LayerSpec.Dense(128), new LayerSpec.Relu(), new LayerSpec.Dense(10)));
    }

    /** The default ds-cnn: L1 [16x28x28], L4 [16x14x14], L6 [32x14x14], L9 [32x7x7], L11 [64x7x7]. */
    static Architecture dsCnn() {
        return StudentArchitecture.of(new StudentConfig("ds-cnn", 16, List.of(32, 64), List.of(), List.of(64), 1.0,
                0.1), FASHION);
    }

    private static HintPlan plan(String teacherLayer, String studentLayer, Architecture student) {
        return HintPlan.resolve(new HintConfig(teacherLayer, studentLayer, 0.5), teacher(28), student);
    }

    @Test
    void equalMapsMeetThroughAOneByOneConvolution() {
        HintPlan p = plan("L4", "L6", dsCnn());
        assertThat(p.teacherShape()).isEqualTo(TensorShape.map(64, 14, 14));
        assertThat(p.studentShape()).isEqualTo(TensorShape.map(32, 14, 14));
        assertThat(p.teacherPool()).isEqualTo(1);
        assertThat(p.studentPool()).isEqualTo(1);
        assertThat(p.projectionWeightShape()).containsExactly(1, 1, 32, 64);
        assertThat(p.projectionParams()).isEqualTo(32 * 64 + 64);
        assertThat(p.weight()).isEqualTo(0.5);
    }

    @Test
    void theLargerMapIsAveragePooledToTheSmaller() {
        HintPlan teacherLarger = plan("1", "9", dsCnn());
        assertThat(teacherLarger.teacherPool()).isEqualTo(4);
        assertThat(teacherLarger.studentPool()).isEqualTo(1);
        assertThat(teacherLarger.target()).isEqualTo(TensorShape.map(32, 7, 7));
        HintPlan studentLarger = plan("4", "1", dsCnn());
        assertThat(studentLarger.teacherPool()).isEqualTo(1);
        assertThat(studentLarger.studentPool()).isEqualTo(2);
        assertThat(studentLarger.target()).isEqualTo(TensorShape.map(64, 14, 14));
    }

    @Test
    void vectorsMeetThroughADenseLayer() {
        Architecture mlp = StudentArchitecture.of(new StudentConfig("mlp", 16, List.of(), List.of(), List.of(64), 1.0,
                0.1), FASHION);
        HintPlan p = plan("L8", "L2", mlp);
        assertThat(p.spatial()).isFalse();
        assertThat(p.projectionWeightShape()).containsExactly(64, 128);
    }

    @Test
    void rejectsALayerThatDoesNotExist() {
        assertThatThrownBy(() -> plan("L12", "L6", dsCnn())).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("distill.hint.teacher_layer is L12, but the teacher teacher-cnn-32-64-d128 has "
                        + "layers L0 to L9; its activations (ReLU outputs) are L1 [32x28x28], L4 [64x14x14], L8 [128]");
        assertThatThrownBy(() -> plan("L4", "40", dsCnn())).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("distill.hint.student_layer is L40, but the student student-ds-cnn-16-32-64");
    }

    @Test
    void rejectsALayerThatIsNotAnActivation() {
        assertThatThrownBy(() -> plan("L3", "L6", dsCnn())).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("distill.hint.teacher_layer is L3, a conv2d layer of the teacher "
                        + "teacher-cnn-32-64-d128, not an activation; hints use ReLU outputs: L1 [32x28x28]");
        assertThatThrownBy(() -> plan("L4", "L7", dsCnn())).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("distill.hint.student_layer is L7, a max_pool layer of the student");
    }

    @Test
    void rejectsAMapAgainstAVector() {
        assertThatThrownBy(() -> plan("L8", "L6", dsCnn())).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("student layer L6 [32x14x14] and teacher layer L8 [128] cannot be matched: "
                        + "both must be maps");
    }

    @Test
    void rejectsMapsWhoseSizesAreNoMultipleOfEachOther() {
        // a stride-3 stem turns 20x20 into 7x7; the teacher's maps are 20x20 and 10x10
        Architecture strided = new Architecture("strided", 1, 20, 20, 10, List.of(new LayerSpec.Conv2d(8, 3, 3),
                new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Dense(10)));
        assertThatThrownBy(() -> HintPlan.resolve(new HintConfig("L4", "L1", 1.0), teacher(20), strided))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("student layer L1 [8x7x7] and teacher layer L4 [64x10x10] cannot be matched: the "
                        + "maps must have the same height and width, or one must be an integer multiple");
    }
}
