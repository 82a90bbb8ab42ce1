package dev.distillery.core.nn;

import dev.distillery.core.model.LayerInfo;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.io.Serializable;

/**
 * Rewrites a network's weights and activations while the graph is built: pruning masks and fake quantization
 * are hooks, so one graph builder serves float, sparse and quantization-aware training.
 */
public interface GraphHooks extends Serializable {
    GraphHooks NONE = new GraphHooks() {
    };

    /** The tensor the layer computes with in place of its stored weight {@code w}. */
    default SDVariable weight(SameDiff sd, LayerInfo layer, SDVariable w) {
        return w;
    }

    /**
     * The tensor the layer adds in place of its stored bias {@code b}; {@code w} is the layer's weight as
     * {@link #weight} returned it.
     */
    default SDVariable bias(SameDiff sd, LayerInfo layer, SDVariable b, SDVariable w) {
        return b;
    }

    /** The tensor that flows on in place of activation {@code a}; {@code point} is "input" or "L{i}" (ReLU outputs). */
    default SDVariable activation(SameDiff sd, String point, SDVariable a) {
        return a;
    }

    /** Hooks applied one after the other. */
    static GraphHooks chain(GraphHooks first, GraphHooks second) {
        return new GraphHooks() {
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
        };
    }
}
