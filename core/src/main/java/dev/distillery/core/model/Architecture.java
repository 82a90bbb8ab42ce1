package dev.distillery.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A feed-forward network: input shape, layers and class count. Shapes, parameter counts and MACs are
 * derived from the layer list alone, so cost models never need the trained weights.
 */
public record Architecture(String name, int channels, int height, int width, int numClasses, List<LayerSpec> layers)
        implements java.io.Serializable {

    public Architecture {
        Objects.requireNonNull(name, "name");
        layers = List.copyOf(layers);
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("architecture " + name + " needs a positive input shape, was "
                    + channels + "x" + height + "x" + width);
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("architecture " + name + " has no layers");
        }
        // Resolve once so that an impossible layer stack fails at construction, not mid-training.
        List<LayerInfo> infos = resolve(channels, height, width, layers);
        TensorShape out = infos.get(infos.size() - 1).output();
        if (!out.flat() || out.channels() != numClasses) {
            throw new IllegalArgumentException("architecture " + name + " must end in " + numClasses
                    + " logits, ends in " + out);
        }
    }

    public int inputSize() {
        return channels * height * width;
    }

    public List<LayerInfo> layerInfos() {
        return resolve(channels, height, width, layers);
    }

    public long parameterCount() {
        return layerInfos().stream().mapToLong(LayerInfo::params).sum();
    }

    public long macs() {
        return layerInfos().stream().mapToLong(LayerInfo::macs).sum();
    }

    /** Whether any layer needs the input as an image rather than a flat vector. */
    public boolean spatial() {
        return layers.stream().anyMatch(l -> l instanceof LayerSpec.Conv2d || l instanceof LayerSpec.DepthwiseConv2d
                || l instanceof LayerSpec.MaxPool);
    }

    /** Whether any layer is a batch norm, which only the float SameDiff graph runs (fold it before anything else). */
    public boolean hasBatchNorm() {
        return layers.stream().anyMatch(l -> l instanceof LayerSpec.BatchNorm);
    }

    public Architecture withLayers(String newName, List<LayerSpec> newLayers) {
        return new Architecture(newName, channels, height, width, numClasses, newLayers);
    }

    static int sameOut(int size, int stride) {
        return (size + stride - 1) / stride;
    }

    /** Top/left padding of a SAME convolution, the convention TensorFlow, ONNX SAME_UPPER and our runtime share. */
    public static int samePadBefore(int size, int kernel, int stride) {
        int out = sameOut(size, stride);
        int total = Math.max((out - 1) * stride + kernel - size, 0);
        return total / 2;
    }

    /**
     * The shape {@code layers} give a {@code c x h x w} input (the input's own for no layers), e.g. to learn whether
     * a layer list still needs a flatten before its classifier; an impossible stack throws, naming the layer.
     */
    public static TensorShape outputShape(int c, int h, int w, List<LayerSpec> layers) {
        List<LayerInfo> infos = resolve(c, h, w, layers);
        return infos.isEmpty() ? TensorShape.map(c, h, w) : infos.get(infos.size() - 1).output();
    }

    private static List<LayerInfo> resolve(int c, int h, int w, List<LayerSpec> layers) {
        List<LayerInfo> out = new ArrayList<>();
        TensorShape shape = TensorShape.map(c, h, w);
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec spec = layers.get(i);
            TensorShape in = shape;
            long weights = 0;
            long biases = 0;
            long macs = 0;
            int[] wShape = new int[0];
            if (spec instanceof LayerSpec.Conv2d conv) {
                requireMap(in, i, spec);
                int oh = sameOut(in.height(), conv.stride());
                int ow = sameOut(in.width(), conv.stride());
                shape = TensorShape.map(conv.filters(), oh, ow);
                wShape = new int[]{conv.kernel(), conv.kernel(), in.channels(), conv.filters()};
                weights = (long) conv.kernel() * conv.kernel() * in.channels() * conv.filters();
                biases = conv.filters();
                macs = weights * oh * ow;
            } else if (spec instanceof LayerSpec.DepthwiseConv2d dw) {
                requireMap(in, i, spec);
                int oh = sameOut(in.height(), dw.stride());
                int ow = sameOut(in.width(), dw.stride());
                shape = TensorShape.map(in.channels(), oh, ow);
                wShape = new int[]{dw.kernel(), dw.kernel(), in.channels(), 1};
                weights = (long) dw.kernel() * dw.kernel() * in.channels();
                biases = in.channels();
                macs = weights * oh * ow;
            } else if (spec instanceof LayerSpec.Dense dense) {
                if (!in.flat()) {
                    throw new IllegalArgumentException("layer " + i + " (dense) needs a flat input, found " + in
                            + "; add a flatten layer before it");
                }
                shape = TensorShape.vector(dense.units());
                wShape = new int[]{in.channels(), dense.units()};
                weights = (long) in.channels() * dense.units();
                biases = dense.units();
                macs = weights;
            } else if (spec instanceof LayerSpec.MaxPool || spec instanceof LayerSpec.AvgPool) {
                boolean average = spec instanceof LayerSpec.AvgPool;
                int size = average ? ((LayerSpec.AvgPool) spec).size() : ((LayerSpec.MaxPool) spec).size();
                requireMap(in, i, spec);
                if (in.height() < size || in.width() < size) {
                    throw new IllegalArgumentException("layer " + i + " (" + (average ? "avg_pool " : "max_pool ")
                            + size + ") is larger than its input " + in);
                }
                shape = TensorShape.map(in.channels(), in.height() / size, in.width() / size);
                if (average) {
                    // one add per window value (the division by the window is folded into the requantization)
                    macs = shape.elements() * size * size;
                }
            } else if (spec instanceof LayerSpec.GlobalAvgPool) {
                requireMap(in, i, spec);
                shape = TensorShape.map(in.channels(), 1, 1);
                macs = in.elements();
            } else if (spec instanceof LayerSpec.Flatten) {
                shape = TensorShape.vector((int) in.elements());
            } else if (spec instanceof LayerSpec.BatchNorm) {
                // one multiply-add per value at inference: (x - mean) * scale + beta with the scale precomputed
                macs = in.elements();
            }
            out.add(new LayerInfo(i, spec, in, shape, weights, biases, macs, wShape));
        }
        return Collections.unmodifiableList(out);
    }

    private static void requireMap(TensorShape in, int index, LayerSpec spec) {
        if (in.flat()) {
            throw new IllegalArgumentException("layer " + index + " (" + spec + ") needs a [C,H,W] input, found flat "
                    + in);
        }
    }
}
