package dev.distillery.student.quant;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A student converted to integer arithmetic: the architecture, the bit widths, the scale that quantizes the
 * float input to unsigned codes (zero point 0) and one {@link IntegerLayer} per weighted layer, in layer order.
 */
public record IntegerModel(Architecture architecture, int weightBits, int activationBits, double inputScale,
                           List<IntegerLayer> layers, Map<String, String> metadata) {

    public IntegerModel {
        Objects.requireNonNull(architecture, "architecture");
        layers = List.copyOf(layers);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        if (weightBits < 2 || weightBits > 8 || activationBits < 2 || activationBits > 8) {
            throw new IllegalArgumentException("bit widths must be in [2, 8], were weights " + weightBits
                    + ", activations " + activationBits);
        }
        if (!(inputScale > 0)) {
            throw new IllegalArgumentException("input scale must be positive, was " + inputScale);
        }
        List<LayerInfo> weighted = architecture.layerInfos().stream().filter(i -> i.spec().hasWeights()).toList();
        if (weighted.size() != layers.size()) {
            throw new IllegalArgumentException("architecture " + architecture.name() + " has " + weighted.size()
                    + " weighted layers, integer model has " + layers.size());
        }
        for (int k = 0; k < layers.size(); k++) {
            LayerInfo info = weighted.get(k);
            IntegerLayer layer = layers.get(k);
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
        }
    }

    public int weightQmax() {
        return (1 << (weightBits - 1)) - 1;
    }

    public int activationQmax() {
        return (1 << activationBits) - 1;
    }

    /** The integer layer for architecture layer {@code index}. */
    public IntegerLayer layer(int index) {
        return layers.stream().filter(l -> l.index() == index).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("layer " + index + " has no weights"));
    }
}
