package dev.distillery.core.model;

/** A layer together with its resolved input/output shapes, parameter count and multiply-accumulates. */
public record LayerInfo(int index, LayerSpec spec, TensorShape input, TensorShape output,
                        long weightCount, long biasCount, long macs, int[] weightShape) {

    /** The layer as messages name it, e.g. {@code layer 3 (depthwise_conv2d 3x3/1)}. */
    public String describe() {
        String what;
        if (spec instanceof LayerSpec.Conv2d c) {
            what = "conv2d " + c.filters() + " filters " + c.kernel() + "x" + c.kernel() + "/" + c.stride()
                    + (c.pad() == null ? "" : " pad " + c.pad());
        } else if (spec instanceof LayerSpec.DepthwiseConv2d d) {
            what = "depthwise_conv2d " + d.kernel() + "x" + d.kernel() + "/" + d.stride()
                    + (d.pad() == null ? "" : " pad " + d.pad());
        } else if (spec instanceof LayerSpec.Dense d) {
            what = "dense " + d.units();
        } else if (spec instanceof LayerSpec.MaxPool p) {
            what = "max_pool " + p.size();
        } else if (spec instanceof LayerSpec.Relu) {
            what = "relu";
        } else if (spec instanceof LayerSpec.BatchNorm) {
            what = "batch_norm";
        } else if (spec instanceof LayerSpec.AvgPool p) {
            what = "avg_pool " + p.size();
        } else if (spec instanceof LayerSpec.GlobalAvgPool) {
            what = "global_avg_pool";
        } else if (spec instanceof LayerSpec.Relu6) {
            what = "relu6";
        } else if (spec instanceof LayerSpec.Dropout d) {
            what = "dropout " + d.rate();
        } else if (spec instanceof LayerSpec.Add a) {
            what = "add from " + (a.from() < 0 ? "the input" : "layer " + a.from())
                    + (a.projection() ? " through a 1x1 projection" : "");
        } else {
            what = "flatten";
        }
        return "layer " + index + " (" + what + ")";
    }

    /** Stored values: weights and bias, or a batch norm's gamma, beta, mean and variance (4 per channel). */
    public long params() {
        return weightCount + biasCount + (batchNorm() ? 4L * output.channels() : 0);
    }

    public boolean batchNorm() {
        return spec instanceof LayerSpec.BatchNorm;
    }

    /** Number of output channels (per-channel quantization axis), 0 for layers without weights. */
    public int outChannels() {
        if (!spec.hasWeights()) {
            return 0;
        }
        return spec instanceof LayerSpec.DepthwiseConv2d ? weightShape[2] : weightShape[weightShape.length - 1];
    }

    public String weightName() {
        return "L" + index + "_w";
    }

    public String biasName() {
        return "L" + index + "_b";
    }

    public String gammaName() {
        return "L" + index + "_gamma";
    }

    public String betaName() {
        return "L" + index + "_beta";
    }

    /** A batch norm's population mean: a statistic, never trained by the optimizer. */
    public String meanName() {
        return "L" + index + "_mean";
    }

    /** A batch norm's population variance: a statistic, never trained by the optimizer. */
    public String varianceName() {
        return "L" + index + "_var";
    }

    /** Parameters the optimizer trains, in the order of the flat parameter vector: weight and bias, or gamma and beta. */
    public java.util.List<String> trainableNames() {
        if (spec.hasWeights()) {
            return java.util.List.of(weightName(), biasName());
        }
        return batchNorm() ? java.util.List.of(gammaName(), betaName()) : java.util.List.of();
    }

    /** Values of a layer that are computed from data rather than trained: a batch norm's mean and variance. */
    public java.util.List<String> statisticNames() {
        return batchNorm() ? java.util.List.of(meanName(), varianceName()) : java.util.List.of();
    }

    /** Length of each named parameter of this layer. */
    public long size(String name) {
        if (name.equals(weightName())) {
            return weightCount;
        }
        if (name.equals(biasName())) {
            return biasCount;
        }
        return output.channels();
    }
}
