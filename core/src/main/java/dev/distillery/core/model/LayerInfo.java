package dev.distillery.core.model;

/** A layer together with its resolved input/output shapes, parameter count and multiply-accumulates. */
public record LayerInfo(int index, LayerSpec spec, TensorShape input, TensorShape output,
                        long weightCount, long biasCount, long macs, int[] weightShape) {

    public long params() {
        return weightCount + biasCount;
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
}
