package dev.distillery.student.nn;

import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.nn.GraphHooks;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/** Multiplies each weight by a fixed 0/1 mask in the graph, so pruned weights stay zero and get no gradient. */
public final class PruneMaskHooks implements GraphHooks {
    private static final long serialVersionUID = 1L;
    private final Map<String, float[]> masks;

    public PruneMaskHooks(Map<String, float[]> masks) {
        this.masks = Map.copyOf(masks);
    }

    @Override
    public SDVariable weight(SameDiff sd, LayerInfo layer, SDVariable w) {
        float[] m = masks.get(layer.weightName());
        if (m == null) {
            return w;
        }
        long[] shape = new long[layer.weightShape().length];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = layer.weightShape()[i];
        }
        SDVariable mask = sd.constant(layer.weightName() + "_mask", Nd4j.create(m, shape, 'c'));
        return w.mul(mask);
    }
}
