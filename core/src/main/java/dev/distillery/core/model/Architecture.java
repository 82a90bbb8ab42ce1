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
                || l instanceof LayerSpec.MaxPool || l instanceof LayerSpec.AvgPool
                || l instanceof LayerSpec.GlobalAvgPool);
    }

    /** Whether any layer is a batch norm, which only the float SameDiff graph runs (fold it before anything else). */
    public boolean hasBatchNorm() {
        return layers.stream().anyMatch(l -> l instanceof LayerSpec.BatchNorm);
    }

    /** The output shape of layer {@code index}, or the input's for -1. */
    public TensorShape outputOf(int index) {
        return index < 0 ? TensorShape.map(channels, height, width) : layerInfos().get(index).output();
    }

    /** Indices of the layers whose output a later add reads (-1: the input), beside the next layer. */
    public java.util.Set<Integer> residualSources() {
        java.util.Set<Integer> read = new java.util.TreeSet<>();
        for (LayerSpec l : layers) {
            if (l instanceof LayerSpec.Add add) {
                read.add(add.from());
            }
        }
        return read;
    }

    /**
     * The layer list without the layers at {@code removed} (batch norms folded away, dropouts stripped), with each
     * add's {@code from} moved to the same tensor's new index: a removed layer's output is the one before it, as a
     * folded batch norm's is its convolution's and a dropout's at inference its input's.
     */
    public static List<LayerSpec> without(List<LayerSpec> layers, java.util.function.IntPredicate removed) {
        int[] newIndex = new int[layers.size()];
        int kept = 0;
        for (int i = 0; i < layers.size(); i++) {
            if (!removed.test(i)) {
                kept++;
            }
            newIndex[i] = kept - 1;
        }
        List<LayerSpec> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            if (removed.test(i)) {
                continue;
            }
            LayerSpec l = layers.get(i);
            if (l instanceof LayerSpec.Add add && add.from() >= 0) {
                l = new LayerSpec.Add(newIndex[add.from()], add.projection());
            }
            out.add(l);
        }
        return out;
    }

    public Architecture withLayers(String newName, List<LayerSpec> newLayers) {
        return new Architecture(newName, channels, height, width, numClasses, newLayers);
    }

    static int sameOut(int size, int stride) {
        return (size + stride - 1) / stride;
    }

    /**
     * The output size of a convolution over {@code size} pixels: SAME's ceil(size / stride) without {@code pad},
     * else floor((size + 2 pad - kernel) / stride) + 1, which must be at least 1.
     */
    static int convOut(int size, int kernel, int stride, Integer pad, int index, LayerSpec spec) {
        if (pad == null) {
            return sameOut(size, stride);
        }
        int out = Math.floorDiv(size + 2 * pad - kernel, stride) + 1;
        if (out < 1) {
            throw new IllegalArgumentException("layer " + index + " (" + spec + ") is larger than its " + size
                    + "-pixel input");
        }
        return out;
    }

    /**
     * Zeros a convolution adds before (top or left) an input of {@code size} pixels: its explicit {@code pad}, or
     * SAME's.
     */
    public static int padBefore(int size, int kernel, int stride, Integer pad) {
        return pad == null ? samePadBefore(size, kernel, stride) : pad;
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
                int oh = convOut(in.height(), conv.kernel(), conv.stride(), conv.pad(), i, spec);
                int ow = convOut(in.width(), conv.kernel(), conv.stride(), conv.pad(), i, spec);
                shape = TensorShape.map(conv.filters(), oh, ow);
                wShape = new int[]{conv.kernel(), conv.kernel(), in.channels(), conv.filters()};
                weights = (long) conv.kernel() * conv.kernel() * in.channels() * conv.filters();
                biases = conv.filters();
                macs = weights * oh * ow;
            } else if (spec instanceof LayerSpec.DepthwiseConv2d dw) {
                requireMap(in, i, spec);
                int oh = convOut(in.height(), dw.kernel(), dw.stride(), dw.pad(), i, spec);
                int ow = convOut(in.width(), dw.kernel(), dw.stride(), dw.pad(), i, spec);
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
            } else if (spec instanceof LayerSpec.Add add) {
                if (add.from() >= i - 1) {
                    throw new IllegalArgumentException("layer " + i + " (add from " + add.from() + ") must add the "
                            + "output of a layer before layer " + (i - 1) + " (or -1, the input) to layer " + (i - 1)
                            + "'s");
                }
                TensorShape shortcut = add.from() < 0 ? TensorShape.map(c, h, w) : out.get(add.from()).output();
                if (add.projection()) {
                    projectionStride(shortcut, in, i, add);
                    wShape = new int[]{1, 1, shortcut.channels(), in.channels()};
                    weights = (long) shortcut.channels() * in.channels();
                    biases = in.channels();
                    macs = weights * in.height() * in.width();
                } else if (!shortcut.equals(in)) {
                    throw new IllegalArgumentException("layer " + i + " (add from " + add.from() + ") adds "
                            + shortcut + " to " + in + "; the shapes differ, so set projection: true for a 1x1 "
                            + "convolution that maps one to the other");
                }
                macs += in.elements();
            }
            out.add(new LayerInfo(i, spec, in, shape, weights, biases, macs, wShape));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The stride of an add's 1x1 projection: the one that takes the earlier map to the previous layer's size, as a
     * SAME convolution would; throws when no stride does, or when the earlier output is not a map.
     */
    public static int projectionStride(TensorShape from, TensorShape to, int index, LayerSpec.Add add) {
        if (from.flat() || to.flat()) {
            throw new IllegalArgumentException("layer " + index + " (add from " + add.from() + " with projection) "
                    + "projects " + from + " to " + to + "; a projection is a 1x1 convolution between [C,H,W] maps");
        }
        for (int s = 1; s <= Math.max(from.height(), from.width()); s++) {
            if (sameOut(from.height(), s) == to.height() && sameOut(from.width(), s) == to.width()) {
                return s;
            }
        }
        throw new IllegalArgumentException("layer " + index + " (add from " + add.from() + " with projection) cannot "
                + "take " + from + " to " + to + " with a strided 1x1 convolution");
    }

    private static void requireMap(TensorShape in, int index, LayerSpec spec) {
        if (in.flat()) {
            throw new IllegalArgumentException("layer " + index + " (" + spec + ") needs a [C,H,W] input, found flat "
                    + in);
        }
    }
}
