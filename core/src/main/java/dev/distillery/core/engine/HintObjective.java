package dev.distillery.core.engine;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.HintPlan;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.TensorShape;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Hinton loss plus a FitNets hint (Romero et al., 2015), trained jointly:
 * {@code loss = hinton + beta * mean((P(s) - t)^2)}, where {@code t} is the teacher's activation at the hint layer,
 * {@code s} the student's at the guided layer (either average-pooled to a common size, see {@link HintPlan}), and
 * {@code P} a learned projection to the teacher's channels (1x1 convolution or dense layer); the mean runs over the
 * minibatch and every element of the teacher's (pooled) activation. The teacher's layers up to the hint layer are
 * part of the same graph as constants, fed by the student's own input, so they stay frozen. The projection's weight
 * and bias are the objective's {@linkplain #auxiliaryParams() auxiliary parameters}: trained, averaged and
 * checkpointed with the student, never saved with it.
 */
public final class HintObjective implements Objective {
    private static final long serialVersionUID = 1L;
    /** Name of the hint term (before its weight) in the training graph. */
    public static final String HINT = "hint_loss";
    public static final String PROJECTION_WEIGHT = "hint_projection_w";
    public static final String PROJECTION_BIAS = "hint_projection_b";
    /** Prefix of the frozen teacher layers' names in the training graph. */
    public static final String TEACHER_PREFIX = "teacher_";

    private final double temperature;
    private final double alpha;
    private final HintPlan plan;
    private final Architecture teacher;
    private final Map<String, float[]> teacherParams;
    private final Map<String, float[]> projection;

    /** The projection starts from seeded LeCun-normal weights (it is linear) and zero biases. */
    public HintObjective(double temperature, double alpha, HintPlan plan, ModelArtifact teacher, long seed) {
        this.temperature = temperature;
        this.alpha = alpha;
        this.plan = plan;
        this.teacher = teacher.architecture();
        // only the layers up to the hint layer run during training, so only those ship to the workers
        this.teacherParams = new LinkedHashMap<>();
        for (LayerInfo info : teacher.architecture().layerInfos().subList(0, plan.teacherLayer() + 1)) {
            if (info.spec().hasWeights()) {
                teacherParams.put(info.weightName(), teacher.params().get(info.weightName()));
                teacherParams.put(info.biasName(), teacher.params().get(info.biasName()));
            }
        }
        int in = plan.studentShape().channels();
        int out = plan.teacherShape().channels();
        float[] w = new float[in * out];
        SplittableRandom random = new SplittableRandom(seed);
        double std = Math.sqrt(1.0 / in);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (gaussian(random) * std);
        }
        Map<String, float[]> initial = new LinkedHashMap<>();
        initial.put(PROJECTION_WEIGHT, w);
        initial.put(PROJECTION_BIAS, new float[out]);
        this.projection = Collections.unmodifiableMap(initial);
    }

    public double temperature() {
        return temperature;
    }

    public double alpha() {
        return alpha;
    }

    public HintPlan plan() {
        return plan;
    }

    /** The teacher's architecture; its layers up to {@link HintPlan#teacherLayer()} run frozen in training. */
    public Architecture teacher() {
        return teacher;
    }

    /** Weights and biases of the teacher's layers up to the hint layer, by name. */
    public Map<String, float[]> teacherParams() {
        return Collections.unmodifiableMap(teacherParams);
    }

    @Override
    public boolean needsTeacher() {
        return true;
    }

    @Override
    public Map<String, float[]> auxiliaryParams() {
        return projection;
    }

    /**
     * The hint term computed directly in Java, for tests: teacher and student activations per example (row-major
     * [C, H, W] or [C]), the projection's weight ([1, 1, in, out] or [in, out], row-major) and bias.
     */
    public static double hintValue(HintPlan plan, float[][] teacherActivations, float[][] studentActivations,
                                   float[] weight, float[] bias) {
        int out = plan.teacherShape().channels();
        int in = plan.studentShape().channels();
        double sum = 0;
        long count = 0;
        for (int n = 0; n < teacherActivations.length; n++) {
            double[][] t = pooled(teacherActivations[n], plan.teacherShape(), plan.teacherPool());
            double[][] s = pooled(studentActivations[n], plan.studentShape(), plan.studentPool());
            int positions = t[0].length;
            for (int o = 0; o < out; o++) {
                for (int p = 0; p < positions; p++) {
                    double v = bias[o];
                    for (int i = 0; i < in; i++) {
                        v += weight[i * out + o] * s[i][p];
                    }
                    double d = v - t[o][p];
                    sum += d * d;
                    count++;
                }
            }
        }
        return sum / count;
    }

    /** [channel][position] after k x k average pooling of a row-major activation. */
    private static double[][] pooled(float[] a, TensorShape shape, int k) {
        int c = shape.channels();
        int h = shape.height() / k;
        int wd = shape.width() / k;
        double[][] out = new double[c][h * wd];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < wd; x++) {
                    double s = 0;
                    for (int dy = 0; dy < k; dy++) {
                        for (int dx = 0; dx < k; dx++) {
                            s += a[(ch * shape.height() + y * k + dy) * shape.width() + x * k + dx];
                        }
                    }
                    out[ch][y * wd + x] = s / (k * k);
                }
            }
        }
        return out;
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1.0 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
