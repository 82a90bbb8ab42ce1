package dev.distillery.core.model;


import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Seeded He-normal initialisation of weights, zero biases, and identity batch norms. */
public final class ParamInit {
    private ParamInit() {
    }

    public static Map<String, float[]> he(Architecture arch, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> params = new LinkedHashMap<>();
        for (LayerInfo info : arch.layerInfos()) {
            if (info.batchNorm()) {
                putBatchNorm(info, params);
                continue;
            }
            if (!info.spec().hasWeights()) {
                continue;
            }
            int[] s = info.weightShape();
            long fanIn = info.spec() instanceof LayerSpec.DepthwiseConv2d ? (long) s[0] * s[1]
                    : info.weightCount() / s[s.length - 1];
            double std = Math.sqrt(2.0 / fanIn);
            float[] w = new float[(int) info.weightCount()];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (gaussian(random) * std);
            }
            params.put(info.weightName(), w);
            params.put(info.biasName(), new float[(int) info.biasCount()]);
        }
        return params;
    }

    /** A batch norm starts as the identity: gamma 1, beta 0, mean 0, variance 1. */
    public static void putBatchNorm(LayerInfo info, Map<String, float[]> params) {
        int c = info.output().channels();
        float[] ones = new float[c];
        java.util.Arrays.fill(ones, 1f);
        params.put(info.gammaName(), ones);
        params.put(info.betaName(), new float[c]);
        params.put(info.meanName(), new float[c]);
        params.put(info.varianceName(), ones.clone());
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1.0 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
