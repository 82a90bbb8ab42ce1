package dev.distillery.student.nn;

import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.nn.GraphHooks;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Computes with {@code w * sign(|w|)}: the same values, but a weight that is exactly zero gets no gradient, so
 * (with its optimizer state cleared) it stays zero. Unlike {@link PruneMaskHooks} the mask follows the weights
 * themselves, so a schedule that prunes more weights between rounds needs no new graph.
 */
public final class SparsityLockHooks implements GraphHooks {
    private static final long serialVersionUID = 1L;

    @Override
    public SDVariable weight(SameDiff sd, LayerInfo layer, SDVariable w) {
        SDVariable mask = sd.math().sign(layer.weightName() + "_live", sd.math().abs(w));
        return w.mul(mask);
    }
}
