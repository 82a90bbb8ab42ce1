package dev.distillery.core.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** One layer of a feed-forward network; shapes are NCHW and convolutions use SAME padding. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = LayerSpec.Conv2d.class, name = "conv2d"),
        @JsonSubTypes.Type(value = LayerSpec.DepthwiseConv2d.class, name = "depthwise_conv2d"),
        @JsonSubTypes.Type(value = LayerSpec.Dense.class, name = "dense"),
        @JsonSubTypes.Type(value = LayerSpec.MaxPool.class, name = "max_pool"),
        @JsonSubTypes.Type(value = LayerSpec.Relu.class, name = "relu"),
        @JsonSubTypes.Type(value = LayerSpec.Flatten.class, name = "flatten"),
        @JsonSubTypes.Type(value = LayerSpec.BatchNorm.class, name = "batch_norm"),
        @JsonSubTypes.Type(value = LayerSpec.AvgPool.class, name = "avg_pool"),
        @JsonSubTypes.Type(value = LayerSpec.GlobalAvgPool.class, name = "global_avg_pool"),
        @JsonSubTypes.Type(value = LayerSpec.Relu6.class, name = "relu6"),
        @JsonSubTypes.Type(value = LayerSpec.Dropout.class, name = "dropout"),
        @JsonSubTypes.Type(value = LayerSpec.Add.class, name = "add")
})
public sealed interface LayerSpec extends java.io.Serializable {

    /** Whether the layer owns a weight tensor and a bias. */
    default boolean hasWeights() {
        return false;
    }

    /**
     * Standard convolution, weights laid out [kH, kW, inChannels, filters]. It pads SAME (TensorFlow's: the output
     * is ceil(input / stride), the odd pixel of padding after) unless {@code pad} gives the zeros added on every side,
     * as PyTorch's {@code padding} does (output floor((input + 2 pad - kernel) / stride) + 1); only teachers, which
     * run in SameDiff and ONNX Runtime, take an explicit pad.
     */
    record Conv2d(int filters, int kernel, int stride,
                  @com.fasterxml.jackson.annotation.JsonInclude(
                          com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Integer pad)
            implements LayerSpec {
        public Conv2d {
            if (filters < 1 || kernel < 1 || stride < 1) {
                throw new IllegalArgumentException("conv2d needs filters, kernel and stride >= 1, was "
                        + filters + ", " + kernel + ", " + stride);
            }
            checkPad(pad, kernel, "conv2d");
        }

        /** A SAME-padded convolution. */
        public Conv2d(int filters, int kernel, int stride) {
            this(filters, kernel, stride, null);
        }

        @Override
        public boolean hasWeights() {
            return true;
        }

        @Override
        public String toString() {
            return "Conv2d[filters=" + filters + ", kernel=" + kernel + ", stride=" + stride
                    + (pad == null ? "" : ", pad=" + pad) + "]";
        }
    }

    /** Depthwise convolution (multiplier 1), weights laid out [kH, kW, channels, 1]; padding as {@link Conv2d}'s. */
    record DepthwiseConv2d(int kernel, int stride,
                           @com.fasterxml.jackson.annotation.JsonInclude(
                                   com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Integer pad)
            implements LayerSpec {
        public DepthwiseConv2d {
            if (kernel < 1 || stride < 1) {
                throw new IllegalArgumentException("depthwise_conv2d needs kernel and stride >= 1, was "
                        + kernel + ", " + stride);
            }
            checkPad(pad, kernel, "depthwise_conv2d");
        }

        /** A SAME-padded depthwise convolution. */
        public DepthwiseConv2d(int kernel, int stride) {
            this(kernel, stride, null);
        }

        @Override
        public boolean hasWeights() {
            return true;
        }

        @Override
        public String toString() {
            return "DepthwiseConv2d[kernel=" + kernel + ", stride=" + stride + (pad == null ? "" : ", pad=" + pad)
                    + "]";
        }
    }

    private static void checkPad(Integer pad, int kernel, String type) {
        if (pad != null && (pad < 0 || pad >= kernel)) {
            throw new IllegalArgumentException(type + " needs a pad in [0, kernel) when it has one, was " + pad
                    + " for kernel " + kernel);
        }
    }

    /** Fully connected layer, weights laid out [in, units]. */
    record Dense(int units) implements LayerSpec {
        public Dense {
            if (units < 1) {
                throw new IllegalArgumentException("dense needs units >= 1, was " + units);
            }
        }

        @Override
        public boolean hasWeights() {
            return true;
        }
    }

    /** Max pooling with a square window and stride equal to the window, VALID padding. */
    record MaxPool(int size) implements LayerSpec {
        public MaxPool {
            if (size < 1) {
                throw new IllegalArgumentException("max_pool needs size >= 1, was " + size);
            }
        }
    }

    /** Rectified linear unit. */
    record Relu() implements LayerSpec {
    }

    /** Average pooling with a square window and stride equal to the window, VALID padding. */
    record AvgPool(int size) implements LayerSpec {
        public AvgPool {
            if (size < 1) {
                throw new IllegalArgumentException("avg_pool needs size >= 1, was " + size);
            }
        }
    }

    /** Average of each channel over the whole map: [C, H, W] to [C, 1, 1]. */
    record GlobalAvgPool() implements LayerSpec {
    }

    /** ReLU clipped at 6, as MobileNets use. */
    record Relu6() implements LayerSpec {
    }

    /**
     * Dropout while training (each value zeroed with probability {@code rate}, the rest scaled by 1 / (1 - rate));
     * nothing at inference, where exports and runtimes leave it out.
     */
    record Dropout(double rate) implements LayerSpec {
        public Dropout {
            if (!(rate >= 0 && rate < 1)) {
                throw new IllegalArgumentException("dropout needs a rate in [0, 1), was " + rate);
            }
        }
    }

    /**
     * The residual connection of a ResNet block: the previous layer's output plus the output of the earlier layer
     * {@code from} ({@code -1}: the network's input). Without {@code projection} the two shapes must be equal; with
     * it the earlier output first goes through a 1x1 convolution (weights [1, 1, inChannels, channels] and a bias,
     * stored as this layer's) whose stride takes its map to the previous layer's size, as when a block changes
     * width or halves the map.
     */
    record Add(int from, boolean projection) implements LayerSpec {
        public Add {
            if (from < -1) {
                throw new IllegalArgumentException("add needs from >= -1 (an earlier layer's index, -1 for the "
                        + "input), was " + from);
            }
        }

        /** From configuration: {@code from} is required, {@code projection} defaults to false. */
        @com.fasterxml.jackson.annotation.JsonCreator
        static Add of(@com.fasterxml.jackson.annotation.JsonProperty("from") int from,
                      @com.fasterxml.jackson.annotation.JsonProperty("projection") Boolean projection) {
            return new Add(from, Boolean.TRUE.equals(projection));
        }

        @Override
        public boolean hasWeights() {
            return projection;
        }
    }

    /** Flattens [C, H, W] into C*H*W in channel-major order. */
    record Flatten() implements LayerSpec {
    }

    /**
     * Batch normalisation per channel (per unit of a flat vector): {@code gamma * (x - mean) / sqrt(var + epsilon)
     * + beta}. Gamma and beta are trained; mean and variance are population statistics computed after training
     * (batch statistics while training). It exists only until {@link BatchNormFolding} merges it into the
     * convolution or dense layer before it.
     */
    record BatchNorm(double epsilon) implements LayerSpec {
        /** The epsilon of students built with batch normalisation. */
        public static final double DEFAULT_EPSILON = 1e-5;

        public BatchNorm {
            if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
                throw new IllegalArgumentException("batch_norm needs a finite epsilon > 0, was " + epsilon);
            }
        }
    }
}
