package dev.distillery.teacher.arch;

import dev.distillery.core.config.TeacherConfig;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;

import java.util.ArrayList;
import java.util.List;

/** The teacher CNN: per configured width a 3x3 convolution, ReLU and 2x2 max pool; then a hidden dense layer. */
public final class TeacherArchitecture {
    private TeacherArchitecture() {
    }

    public static Architecture of(TeacherConfig cfg, DatasetInfo data) {
        List<LayerSpec> layers = new ArrayList<>();
        int h = data.height();
        int w = data.width();
        for (int filters : cfg.convFilters()) {
            layers.add(new LayerSpec.Conv2d(filters, 3, 1));
            layers.add(new LayerSpec.Relu());
            if (h >= 4 && w >= 4) {
                layers.add(new LayerSpec.MaxPool(2));
                h /= 2;
                w /= 2;
            }
        }
        layers.add(new LayerSpec.Flatten());
        layers.add(new LayerSpec.Dense(cfg.denseUnits()));
        layers.add(new LayerSpec.Relu());
        layers.add(new LayerSpec.Dense(data.numClasses()));
        String name = "teacher-cnn-" + String.join("-", cfg.convFilters().stream().map(String::valueOf).toList())
                + "-d" + cfg.denseUnits();
        return new Architecture(name, data.channels(), data.height(), data.width(), data.numClasses(), layers);
    }
}
