package dev.distillery.core.engine;

/**
 * Hinton et al.'s distillation loss: {@code alpha * T^2 * KL(softmax(t/T) || softmax(s/T)) + (1 - alpha) * CE(y, s)},
 * averaged over the minibatch. The T^2 factor keeps the soft term's gradients on the scale of the hard term's.
 */
public record DistillationObjective(double temperature, double alpha) implements Objective {
    private static final long serialVersionUID = 1L;

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
