package dev.distillery.teacher.label;

import java.util.ArrayList;
import java.util.List;

/**
 * One or more teachers answering as one: with several, their logits are averaged ({@code mean-logits}) or their
 * softmax probabilities are averaged and returned as log-probabilities ({@code mean-probabilities}), which are
 * logits whose softmax at temperature 1 is that mean.
 */
public final class TeacherEnsemble {
    private final List<TeacherModel.Inference> nets = new ArrayList<>();
    private final String mode;

    public TeacherEnsemble(List<TeacherModel> teachers, String mode) {
        for (TeacherModel t : teachers) {
            nets.add(t.open());
        }
        this.mode = mode;
    }

    public float[][] logits(float[][] x) {
        if (nets.size() == 1) {
            return nets.get(0).logits(x);
        }
        List<float[][]> outs = new ArrayList<>();
        for (TeacherModel.Inference n : nets) {
            outs.add(n.logits(x));
        }
        return combine(outs, mode);
    }

    /** Combines per-teacher logits [teacher][row][class] by {@code mean-logits} or {@code mean-probabilities}. */
    public static float[][] combine(List<float[][]> outs, String mode) {
        int rows = outs.get(0).length;
        int classes = outs.get(0)[0].length;
        float[][] out = new float[rows][classes];
        boolean probabilities = "mean-probabilities".equals(mode);
        for (int r = 0; r < rows; r++) {
            double[] acc = new double[classes];
            for (float[][] o : outs) {
                if (probabilities) {
                    double[] p = softmax(o[r]);
                    for (int c = 0; c < classes; c++) {
                        acc[c] += p[c];
                    }
                } else {
                    for (int c = 0; c < classes; c++) {
                        acc[c] += o[r][c];
                    }
                }
            }
            for (int c = 0; c < classes; c++) {
                double mean = acc[c] / outs.size();
                out[r][c] = (float) (probabilities ? Math.log(Math.max(mean, Double.MIN_NORMAL)) : mean);
            }
        }
        return out;
    }

    private static double[] softmax(float[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
