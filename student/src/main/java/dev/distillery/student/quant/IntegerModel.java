package dev.distillery.student.quant;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A student converted to integer arithmetic: the architecture, the bit widths, the scale and zero point that
 * quantize the float input to unsigned codes, and one {@link IntegerLayer} per weighted layer, in layer order.
 *
 * <p>{@code weightBits} is the width of conv2d and dense weights; each layer records its own width. The reference
 * runtime runs int4 (and narrower) weights in conv2d and dense layers only: depthwise convolutions must keep
 * 8-bit weights ({@link #DEPTHWISE_BITS}).
 */
public record IntegerModel(Architecture architecture, int weightBits, int activationBits, double inputScale,
                           int inputZeroPoint, List<IntegerLayer> layers, Map<String, String> metadata) {
    /** The only weight width the runtime's depthwise kernel runs. */
    public static final int DEPTHWISE_BITS = 8;

    public IntegerModel {
        Objects.requireNonNull(architecture, "architecture");
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        if (weightBits < 2 || weightBits > 8 || activationBits < 2 || activationBits > 8) {
            throw new IllegalArgumentException("bit widths must be in [2, 8], were weights " + weightBits
                    + ", activations " + activationBits);
        }
        if (!(inputScale > 0)) {
            throw new IllegalArgumentException("input scale must be positive, was " + inputScale);
        }
        if (inputZeroPoint < 0 || inputZeroPoint > (1 << activationBits) - 1) {
            throw new IllegalArgumentException("input zero point must be in [0, " + ((1 << activationBits) - 1)
                    + "], was " + inputZeroPoint);
        }
        dev.distillery.core.model.BatchNormFolding.requireFolded(architecture, "an integer model");
        List<LayerInfo> weighted = architecture.layerInfos().stream().filter(i -> i.spec().hasWeights()).toList();
        if (weighted.size() != layers.size()) {
            throw new IllegalArgumentException("architecture " + architecture.name() + " has " + weighted.size()
                    + " weighted layers, integer model has " + layers.size());
        }
        List<IntegerLayer> resolved = new ArrayList<>();
        for (int k = 0; k < layers.size(); k++) {
            LayerInfo info = weighted.get(k);
            IntegerLayer layer = layers.get(k);
            if (layer.weightBits() == 0) {
                layer = layer.withWeightBits(weightBits);
            }
            if (layer.index() != info.index() || layer.weights().length != info.weightCount()
                    || layer.channels() != info.outChannels()) {
                throw new IllegalArgumentException("integer layer " + layer + " does not match architecture layer "
                        + info.index() + " (" + info.spec() + ", " + info.weightCount() + " weights, "
                        + info.outChannels() + " channels)");
            }
            if (layer.requantized() == (k == layers.size() - 1)) {
                throw new IllegalArgumentException("layer " + layer.index() + (layer.requantized()
                        ? " is the final layer and must not be requantized" : " must be requantized"));
            }
            if (info.spec() instanceof LayerSpec.DepthwiseConv2d && layer.weightBits() != DEPTHWISE_BITS) {
                throw new IllegalArgumentException("layer " + info.index() + " (depthwise_conv2d) has "
                        + layer.weightBits() + "-bit weights; the integer runtime runs depthwise convolutions with "
                        + DEPTHWISE_BITS + "-bit weights only");
            }
            int qmax = (1 << (layer.weightBits() - 1)) - 1;
            for (byte w : layer.weights()) {
                if (w < -qmax || w > qmax) {
                    throw new IllegalArgumentException("layer " + layer.index() + " holds weight code " + w
                            + " outside [-" + qmax + ", " + qmax + "] of its " + layer.weightBits() + "-bit weights");
                }
            }
            resolved.add(layer);
        }
        layers = List.copyOf(resolved);
    }

    /** A model whose input range starts at 0 (images in [0, 1]). */
    public IntegerModel(Architecture architecture, int weightBits, int activationBits, double inputScale,
                        List<IntegerLayer> layers, Map<String, String> metadata) {
        this(architecture, weightBits, activationBits, inputScale, 0, layers, metadata);
    }

    public int weightQmax() {
        return (1 << (weightBits - 1)) - 1;
    }

    public int activationQmax() {
        return (1 << activationBits) - 1;
    }

    /**
     * Indices of the weighted layers quantized per tensor: every output channel has the same weight scale. A
     * per-channel layer whose channels happen to share one scale counts too, since any per-tensor toolchain takes it.
     */
    public java.util.Set<Integer> perTensorLayers() {
        java.util.Set<Integer> out = new java.util.TreeSet<>();
        for (IntegerLayer layer : layers) {
            float[] scales = layer.weightScale();
            boolean same = true;
            for (float s : scales) {
                same &= Float.compare(s, scales[0]) == 0;
            }
            if (same) {
                out.add(layer.index());
            }
        }
        return java.util.Collections.unmodifiableSet(out);
    }

    /** The integer layer for architecture layer {@code index}. */
    public IntegerLayer layer(int index) {
        return layers.stream().filter(l -> l.index() == index).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("layer " + index + " has no weights"));
    }
}
