package dev.distillery.core.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dropout only acts while training; a model is saved without its dropout layers, so that every consumer (exports,
 * the cost model, the integer runtime) sees the network inference computes. Layer indices after a removed dropout
 * shift down, and the parameters are renamed with them.
 */
public final class Dropouts {
    private Dropouts() {
    }

    /** The model without its dropout layers; a model without any comes back as it is. */
    public static ModelArtifact strip(ModelArtifact model) {
        Architecture arch = model.architecture();
        if (arch.layers().stream().noneMatch(l -> l instanceof LayerSpec.Dropout)) {
            return model;
        }
        Map<String, float[]> params = new LinkedHashMap<>();
        int kept = 0;
        for (LayerInfo info : arch.layerInfos()) {
            if (info.spec() instanceof LayerSpec.Dropout) {
                continue;
            }
            String to = "L" + kept++ + "_";
            String from = "L" + info.index() + "_";
            List<String> names = new ArrayList<>(info.trainableNames());
            names.addAll(info.statisticNames());
            for (String name : names) {
                params.put(to + name.substring(from.length()), model.params().get(name));
            }
        }
        List<LayerSpec> layers = Architecture.without(arch.layers(),
                i -> arch.layers().get(i) instanceof LayerSpec.Dropout);
        return new ModelArtifact(model.kind(), arch.withLayers(arch.name(), layers), params, model.metadata(),
                model.quant());
    }
}
