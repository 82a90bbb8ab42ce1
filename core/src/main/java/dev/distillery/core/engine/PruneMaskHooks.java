package dev.distillery.core.engine;

import java.util.Map;

/** Multiplies each weight by a fixed 0/1 mask in the graph, so pruned weights stay zero and get no gradient. */
public final class PruneMaskHooks implements GraphHooks {
    private static final long serialVersionUID = 1L;
    private final Map<String, float[]> masks;

    /** {@code masks} by weight name, row-major in the weight's shape; weights without a mask stay as they are. */
    public PruneMaskHooks(Map<String, float[]> masks) {
        this.masks = Map.copyOf(masks);
    }

    public Map<String, float[]> masks() {
        return masks;
    }
}
