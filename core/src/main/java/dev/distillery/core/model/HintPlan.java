package dev.distillery.core.model;

import dev.distillery.core.config.HintConfig;
import dev.distillery.core.error.InvalidConfigException;

import java.io.Serializable;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where a hint meets its guided layer: the teacher's ReLU output at {@code teacherLayer} and the student's at
 * {@code studentLayer}. Both are maps or both are vectors. Maps of different sizes are matched when one is an
 * integer multiple k of the other in height and width: the larger is average-pooled k x k (VALID) to the smaller.
 * The student's side then goes through a projection to the teacher's channel count (a 1x1 convolution for maps, a
 * dense layer for vectors) of {@link #projectionWeightShape()} plus one bias per teacher channel.
 */
public record HintPlan(int teacherLayer, int studentLayer, TensorShape teacherShape, TensorShape studentShape,
                       int teacherPool, int studentPool, double weight) implements Serializable {

    /** Checks a hint configuration against the two architectures, with messages naming the field. */
    public static HintPlan resolve(HintConfig cfg, Architecture teacher, Architecture student) {
        if (!cfg.enabled()) {
            throw new IllegalArgumentException("distill.hint is not configured");
        }
        LayerInfo t = activation("distill.hint.teacher_layer", cfg.teacherIndex(), teacher, "teacher");
        LayerInfo s = activation("distill.hint.student_layer", cfg.studentIndex(), student, "student");
        TensorShape ts = t.output();
        TensorShape ss = s.output();
        String pair = "student layer L" + s.index() + " " + ss + " and teacher layer L" + t.index() + " " + ts;
        if (ts.flat() != ss.flat()) {
            throw new InvalidConfigException("distill.hint: " + pair + " cannot be matched: both must be maps "
                    + "(projected by a 1x1 convolution) or both vectors (projected by a dense layer)");
        }
        int teacherPool = 1;
        int studentPool = 1;
        if (!ts.flat() && (ts.height() != ss.height() || ts.width() != ss.width())) {
            teacherPool = factor(ts, ss);
            studentPool = factor(ss, ts);
            if (teacherPool == 0 && studentPool == 0) {
                throw new InvalidConfigException("distill.hint: " + pair + " cannot be matched: the maps must have "
                        + "the same height and width, or one must be an integer multiple of the other in both (the "
                        + "larger is then average-pooled to the smaller); choose layers with matching map sizes");
            }
            teacherPool = Math.max(teacherPool, 1);
            studentPool = Math.max(studentPool, 1);
        }
        return new HintPlan(t.index(), s.index(), ts, ss, teacherPool, studentPool, cfg.weight());
    }

    /** Whether the hint compares feature maps (else vectors). */
    public boolean spatial() {
        return !teacherShape.flat();
    }

    /** Shape at which the projected student features and the teacher's features are compared. */
    public TensorShape target() {
        return spatial() ? TensorShape.map(teacherShape.channels(), teacherShape.height() / teacherPool,
                teacherShape.width() / teacherPool) : teacherShape;
    }

    /** The projection's weight layout: [1, 1, student channels, teacher channels] for maps, [in, out] for vectors. */
    public int[] projectionWeightShape() {
        return spatial() ? new int[]{1, 1, studentShape.channels(), teacherShape.channels()}
                : new int[]{studentShape.channels(), teacherShape.channels()};
    }

    /** Parameters of the projection (weights and biases); they exist only during training. */
    public long projectionParams() {
        return (long) studentShape.channels() * teacherShape.channels() + teacherShape.channels();
    }

    /** The pooling factor that brings {@code big} down to {@code small}, or 0 when there is none. */
    private static int factor(TensorShape big, TensorShape small) {
        if (big.height() <= small.height() || big.height() % small.height() != 0
                || big.width() % small.width() != 0) {
            return 0;
        }
        int k = big.height() / small.height();
        return big.width() / small.width() == k ? k : 0;
    }

    private static LayerInfo activation(String path, int index, Architecture arch, String role) {
        List<LayerInfo> infos = arch.layerInfos();
        String choices = infos.stream().filter(i -> i.spec() instanceof LayerSpec.Relu)
                .map(i -> "L" + i.index() + " " + i.output()).collect(Collectors.joining(", "));
        if (index >= infos.size()) {
            throw new InvalidConfigException(path + " is L" + index + ", but the " + role + " " + arch.name()
                    + " has layers L0 to L" + (infos.size() - 1) + "; its activations (ReLU outputs) are " + choices);
        }
        LayerInfo info = infos.get(index);
        if (!(info.spec() instanceof LayerSpec.Relu)) {
            throw new InvalidConfigException(path + " is L" + index + ", a " + kind(info.spec()) + " layer of the "
                    + role + " " + arch.name() + ", not an activation; hints use ReLU outputs: " + choices);
        }
        return info;
    }

    private static String kind(LayerSpec spec) {
        if (spec instanceof LayerSpec.Conv2d) {
            return "conv2d";
        } else if (spec instanceof LayerSpec.DepthwiseConv2d) {
            return "depthwise_conv2d";
        } else if (spec instanceof LayerSpec.Dense) {
            return "dense";
        } else if (spec instanceof LayerSpec.MaxPool) {
            return "max_pool";
        }
        return spec instanceof LayerSpec.Flatten ? "flatten" : spec.getClass().getSimpleName().toLowerCase();
    }
}
