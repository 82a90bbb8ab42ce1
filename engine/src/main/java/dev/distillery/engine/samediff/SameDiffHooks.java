package dev.distillery.engine.samediff;

import dev.distillery.core.engine.ChainedHooks;
import dev.distillery.core.engine.FakeQuantHooks;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.NoHooks;
import dev.distillery.core.engine.PruneMaskHooks;
import dev.distillery.core.engine.SparsityLockHooks;
import dev.distillery.core.model.LayerInfo;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/** {@link GraphHooks} as SameDiff graph code: rewrites a weight, bias or activation while the graph is built. */
interface SameDiffHooks {
    SameDiffHooks NONE = new SameDiffHooks() {
    };

    /** The graph code for a hooks description. */
    static SameDiffHooks of(GraphHooks hooks) {
        if (hooks instanceof NoHooks) {
            return NONE;
        } else if (hooks instanceof ChainedHooks chained) {
            return chain(of(chained.first()), of(chained.second()));
        } else if (hooks instanceof FakeQuantHooks fq) {
            return new FakeQuantGraph(fq);
        } else if (hooks instanceof PruneMaskHooks prune) {
            return pruneMasks(prune.masks());
        } else if (hooks instanceof SparsityLockHooks) {
            return SPARSITY_LOCK;
        }
        throw new IllegalArgumentException("SameDiff has no graph code for hooks " + hooks);
    }

    /** The tensor the layer computes with in place of its stored weight {@code w}. */
    default SDVariable weight(SameDiff sd, LayerInfo layer, SDVariable w) {
        return w;
    }

    /** The tensor the layer adds in place of its bias {@code b}; {@code w} is the weight as {@link #weight} returned it. */
    default SDVariable bias(SameDiff sd, LayerInfo layer, SDVariable b, SDVariable w) {
        return b;
    }

    /** The tensor that flows on in place of activation {@code a}; {@code point} is "input" or "L{i}" (ReLU outputs). */
    default SDVariable activation(SameDiff sd, String point, SDVariable a) {
        return a;
    }

    /** Whether {@link #activation} changes the tensor at {@code point}. */
    default boolean rewritesActivation(String point) {
        return false;
    }

    /** {@code w * sign(|w|)}: exact zeros get no gradient. */
    SameDiffHooks SPARSITY_LOCK = new SameDiffHooks() {
        @Override
        public SDVariable weight(SameDiff sd, LayerInfo layer, SDVariable w) {
            SDVariable mask = sd.math().sign(layer.weightName() + "_live", sd.math().abs(w));
            return w.mul(mask);
        }
    };

    /** Each weight times its fixed 0/1 mask. */
    private static SameDiffHooks pruneMasks(Map<String, float[]> masks) {
        return new SameDiffHooks() {
            @Override
            public SDVariable weight(SameDiff sd, LayerInfo layer, SDVariable w) {
                float[] m = masks.get(layer.weightName());
                if (m == null) {
                    return w;
                }
                SDVariable mask = sd.constant(layer.weightName() + "_mask",
                        Nd4j.create(m, GraphBuilder.toLong(layer.weightShape()), 'c'));
                return w.mul(mask);
            }
        };
    }

    private static SameDiffHooks chain(SameDiffHooks first, SameDiffHooks second) {
        return new SameDiffHooks() {
            @Override
            public SDVariable weight(SameDiff sd, LayerInfo layer, SDVariable w) {
                return second.weight(sd, layer, first.weight(sd, layer, w));
            }

            @Override
            public SDVariable bias(SameDiff sd, LayerInfo layer, SDVariable b, SDVariable w) {
                return second.bias(sd, layer, first.bias(sd, layer, b, w), w);
            }

            @Override
            public SDVariable activation(SameDiff sd, String point, SDVariable a) {
                return second.activation(sd, point, first.activation(sd, point, a));
            }

            @Override
            public boolean rewritesActivation(String point) {
                return first.rewritesActivation(point) || second.rewritesActivation(point);
            }
        };
    }
}
