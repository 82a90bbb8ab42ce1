package dev.distillery.core.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A trained float model: architecture, parameters by name (see {@link LayerInfo#weightName()}), free-form
 * provenance metadata and, for quantization-aware models, the quantization settings.
 */
public record ModelArtifact(String kind, Architecture architecture, Map<String, float[]> params,
                            Map<String, String> metadata, QuantSpec quant) {

    public ModelArtifact {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(architecture, "architecture");
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        for (LayerInfo info : architecture.layerInfos()) {
            for (String name : info.trainableNames()) {
                check(params, name, info.size(name));
            }
            for (String name : info.statisticNames()) {
                check(params, name, info.size(name));
            }
        }
    }

    private static void check(Map<String, float[]> params, String name, long expected) {
        float[] p = params.get(name);
        if (p == null) {
            throw new IllegalArgumentException("model is missing parameter " + name);
        }
        if (p.length != expected) {
            throw new IllegalArgumentException("parameter " + name + " should hold " + expected + " values, holds "
                    + p.length);
        }
    }

    public ModelArtifact withParams(Map<String, float[]> newParams) {
        return new ModelArtifact(kind, architecture, newParams, metadata, quant);
    }

    /**
     * The model with only the parameters its architecture names: drops tensors a training checkpoint carries beside
     * the network (a hint projection), so what is saved as a model is exactly the architecture's parameters.
     */
    public ModelArtifact networkOnly() {
        Map<String, float[]> own = new LinkedHashMap<>();
        for (LayerInfo info : architecture.layerInfos()) {
            for (String name : info.trainableNames()) {
                own.put(name, params.get(name));
            }
            for (String name : info.statisticNames()) {
                own.put(name, params.get(name));
            }
        }
        return own.size() == params.size() ? this : withParams(own);
    }

    public ModelArtifact withKind(String newKind, Map<String, String> extraMetadata) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.putAll(extraMetadata);
        return new ModelArtifact(newKind, architecture, params, meta, quant);
    }

    public ModelArtifact withQuant(QuantSpec spec) {
        return new ModelArtifact(kind, architecture, params, metadata, spec);
    }

    /** Fraction of weight (not bias) values that are exactly zero. */
    public double weightSparsity() {
        long zeros = 0;
        long total = 0;
        for (LayerInfo info : architecture.layerInfos()) {
            if (!info.spec().hasWeights()) {
                continue;
            }
            for (float v : params.get(info.weightName())) {
                if (v == 0f) {
                    zeros++;
                }
            }
            total += info.weightCount();
        }
        return total == 0 ? 0 : (double) zeros / total;
    }

    /** Deep copy of the parameter map, for code that mutates parameters. */
    public Map<String, float[]> copyParams() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        params.forEach((k, v) -> copy.put(k, Arrays.copyOf(v, v.length)));
        return copy;
    }
}
