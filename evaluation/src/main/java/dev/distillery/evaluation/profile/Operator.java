package dev.distillery.evaluation.profile;

import dev.distillery.core.model.LayerSpec;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Layer operator kinds a device runtime may or may not implement; ids match the layer type names in model files. */
public enum Operator {
    CONV2D("conv2d"),
    DEPTHWISE_CONV2D("depthwise_conv2d"),
    DENSE("dense"),
    MAX_POOL("max_pool"),
    RELU("relu"),
    FLATTEN("flatten"),
    AVG_POOL("avg_pool"),
    GLOBAL_AVG_POOL("global_avg_pool"),
    RELU6("relu6"),
    ADD("add");

    private final String id;

    Operator(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The operator a layer needs at inference time. */
    public static Operator of(LayerSpec spec) {
        if (spec instanceof LayerSpec.Conv2d) {
            return CONV2D;
        } else if (spec instanceof LayerSpec.DepthwiseConv2d) {
            return DEPTHWISE_CONV2D;
        } else if (spec instanceof LayerSpec.Dense) {
            return DENSE;
        } else if (spec instanceof LayerSpec.MaxPool) {
            return MAX_POOL;
        } else if (spec instanceof LayerSpec.Relu) {
            return RELU;
        } else if (spec instanceof LayerSpec.Flatten) {
            return FLATTEN;
        } else if (spec instanceof LayerSpec.AvgPool) {
            return AVG_POOL;
        } else if (spec instanceof LayerSpec.GlobalAvgPool) {
            return GLOBAL_AVG_POOL;
        } else if (spec instanceof LayerSpec.Relu6) {
            return RELU6;
        } else if (spec instanceof LayerSpec.Add) {
            return ADD;
        }
        throw new IllegalArgumentException("no operator for layer " + spec);
    }

    /** Parses an operator id such as {@code depthwise_conv2d}; the message lists the known ids. */
    public static Operator parse(String id) {
        if (id != null) {
            String wanted = id.trim().toLowerCase(Locale.ROOT);
            for (Operator op : values()) {
                if (op.id.equals(wanted)) {
                    return op;
                }
            }
        }
        throw new IllegalArgumentException("unknown operator '" + id + "' (known: "
                + Arrays.stream(values()).map(Operator::id).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
