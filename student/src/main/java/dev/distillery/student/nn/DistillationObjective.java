package dev.distillery.student.nn;

import dev.distillery.core.nn.Objective;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Hinton et al.'s distillation loss: {@code alpha * T^2 * KL(softmax(t/T) || softmax(s/T)) + (1 - alpha) * CE(y, s)},
 * averaged over the minibatch. The T^2 factor keeps the soft term's gradients on the scale of the hard term's.
 */
public final class DistillationObjective implements Objective {
    private static final long serialVersionUID = 1L;
    private final double temperature;
    private final double alpha;

    public DistillationObjective(double temperature, double alpha) {
        this.temperature = temperature;
        this.alpha = alpha;
    }

    @Override
    public List<String> targetNames() {
        return List.of("teacher", "label");
    }

    @Override
    public SDVariable loss(SameDiff sd, SDVariable logits, int numClasses) {
        return hinton(sd, logits, numClasses, temperature, alpha, "loss");
    }

    /**
     * Builds the Hinton loss on {@code logits} as variable {@code name}, creating the "teacher" and "label"
     * placeholders; other objectives add their terms to it.
     */
    static SDVariable hinton(SameDiff sd, SDVariable logits, int numClasses, double temperature, double alpha,
                             String name) {
        SDVariable teacher = sd.placeHolder("teacher", DataType.FLOAT, -1, numClasses);
        SDVariable label = sd.placeHolder("label", DataType.FLOAT, -1, numClasses);
        SDVariable logPt = sd.nn().logSoftmax(teacher.div(temperature));
        SDVariable pt = sd.math().exp(logPt);
        SDVariable logPs = sd.nn().logSoftmax(logits.div(temperature));
        SDVariable kl = pt.mul(logPt.sub(logPs)).sum(1).mean();
        SDVariable ce = sd.loss().softmaxCrossEntropy(label, logits, null, LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);
        return kl.mul(alpha * temperature * temperature).add(name, ce.mul(1 - alpha));
    }

    @Override
    public INDArray[] targets(int[] labels, float[][] teacherLogits, int numClasses) {
        if (teacherLogits == null) {
            throw new IllegalStateException("distillation needs teacher logits in the training data");
        }
        return new INDArray[]{Nd4j.create(teacherLogits), Objective.oneHot(labels, numClasses)};
    }

    @Override
    public boolean needsTeacher() {
        return true;
    }

    /** The same loss computed directly in Java, for tests and reports. */
    public static double lossValue(float[] student, float[] teacher, int label, double temperature, double alpha) {
        double[] ls = logSoftmax(student, temperature);
        double[] lt = logSoftmax(teacher, temperature);
        double kl = 0;
        for (int i = 0; i < ls.length; i++) {
            kl += Math.exp(lt[i]) * (lt[i] - ls[i]);
        }
        double ce = -logSoftmax(student, 1.0)[label];
        return alpha * temperature * temperature * kl + (1 - alpha) * ce;
    }

    /** log softmax(z / t) in double precision, stable for large logits. */
    public static double[] logSoftmax(float[] z, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v / t);
        }
        double sum = 0;
        for (float v : z) {
            sum += Math.exp(v / t - max);
        }
        double log = Math.log(sum) + max;
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = z[i] / t - log;
        }
        return out;
    }
}
