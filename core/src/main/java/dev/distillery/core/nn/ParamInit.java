package dev.distillery.core.nn;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Seeded He-normal initialisation of weights and zero biases. */
public final class ParamInit {
    private ParamInit() {
    }

    public static Map<String, float[]> he(Architecture arch, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> params = new LinkedHashMap<>();
        for (LayerInfo info : arch.layerInfos()) {
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

    private static double gaussian(SplittableRandom r) {
        double u = 1.0 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
