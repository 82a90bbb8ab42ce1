package dev.distillery.student.arch;

import dev.distillery.core.config.StudentConfig;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Student architectures. {@code ds-cnn}: a 3x3 stem convolution, then depthwise-separable blocks (3x3 depthwise,
 * ReLU, 1x1 pointwise, ReLU), {@code repeats[i]} of width {@code blocks[i]} in a row, each group followed by 2x2
 * max pooling while the map is larger than 7x7, then a dense classifier. {@code mlp}: hidden dense layers with ReLU.
 * Widths scale by the width multiplier. {@code layers}: the list in {@code student.layers} (see {@link #fromList}).
 * With {@code batch_norm}, a batch norm sits between every convolution (stem, depthwise, pointwise) or hidden dense
 * layer and its ReLU, and the name ends in "-bn".
 */
public final class StudentArchitecture {
    private StudentArchitecture() {
    }

    public static Architecture of(StudentConfig cfg, DatasetInfo data) {
        List<LayerSpec> layers = new ArrayList<>();
        String name;
        if (cfg.type().equals("layers")) {
            return fromList(cfg.layers(), data);
        }
        if (cfg.type().equals("mlp")) {
            layers.add(new LayerSpec.Flatten());
            for (int units : cfg.hidden()) {
                layers.add(new LayerSpec.Dense(scale(units, cfg.widthMultiplier())));
                normalise(layers, cfg);
                layers.add(new LayerSpec.Relu());
            }
            name = "student-mlp-" + String.join("-", cfg.hidden().stream()
                    .map(u -> String.valueOf(scale(u, cfg.widthMultiplier()))).toList());
        } else {
            int h = data.height();
            int w = data.width();
            layers.add(new LayerSpec.Conv2d(scale(cfg.stemFilters(), cfg.widthMultiplier()), 3, 1));
            normalise(layers, cfg);
            layers.add(new LayerSpec.Relu());
            if (h > 7 && w > 7) {
                layers.add(new LayerSpec.MaxPool(2));
                h /= 2;
                w /= 2;
            }
            for (int b = 0; b < cfg.blocks().size(); b++) {
                for (int r = 0; r < cfg.repeatsOf(b); r++) {
                    layers.add(new LayerSpec.DepthwiseConv2d(3, 1));
                    normalise(layers, cfg);
                    layers.add(new LayerSpec.Relu());
                    layers.add(new LayerSpec.Conv2d(scale(cfg.blocks().get(b), cfg.widthMultiplier()), 1, 1));
                    normalise(layers, cfg);
                    layers.add(new LayerSpec.Relu());
                }
                if (h > 7 && w > 7) {
                    layers.add(new LayerSpec.MaxPool(2));
                    h /= 2;
                    w /= 2;
                }
            }
            layers.add(new LayerSpec.Flatten());
            List<String> widths = new ArrayList<>();
            for (int b = 0; b < cfg.blocks().size(); b++) {
                int r = cfg.repeatsOf(b);
                widths.add(scale(cfg.blocks().get(b), cfg.widthMultiplier()) + (r > 1 ? "x" + r : ""));
            }
            name = "student-ds-cnn-" + scale(cfg.stemFilters(), cfg.widthMultiplier()) + "-" + String.join("-", widths);
        }
        layers.add(new LayerSpec.Dense(data.numClasses()));
        if (cfg.batchNorm()) {
            name += "-bn";
        }
        return new Architecture(name, data.channels(), data.height(), data.width(), data.numClasses(), layers);
    }

    /**
     * A student from {@code student.layers} and its classifier (a flatten when the list ends in a map, a dense layer
     * per class). Every layer must be one that distill, prune, qat, the integer runtime and every export take, in an
     * order integer conversion can fuse; anything else is refused here, before any training, naming the layer (by
     * its index in the list) and the stage that cannot take it.
     */
    static Architecture fromList(List<LayerSpec> body, DatasetInfo data) {
        for (int i = 0; i < body.size(); i++) {
            LayerSpec l = body.get(i);
            String refused = null;
            if (l instanceof LayerSpec.Conv2d c && c.pad() != null || l instanceof LayerSpec.DepthwiseConv2d d
                    && d.pad() != null) {
                refused = "qat and export (the integer runtime, TFLite and C kernels pad SAME only)";
            } else if (l instanceof LayerSpec.Add) {
                refused = "qat and export (the integer runtime, TFLite and C kernels have no residual add)";
            } else if (l instanceof LayerSpec.AvgPool || l instanceof LayerSpec.GlobalAvgPool
                    || l instanceof LayerSpec.Relu6) {
                refused = "qat and export (the integer runtime, TFLite and C kernels have no kernel for it)";
            } else if (l instanceof LayerSpec.Dropout) {
                refused = "distill (students train without dropout)";
            }
            if (refused != null) {
                throw new InvalidConfigException("student.layers[" + i + "] (" + l + ") cannot be a student layer: "
                        + refused + "; students take conv2d, depthwise_conv2d, dense, max_pool, relu, flatten and "
                        + "batch_norm");
            }
        }
        List<LayerSpec> layers = new ArrayList<>(body);
        Architecture arch;
        try {
            if (!Architecture.outputShape(data.channels(), data.height(), data.width(), body).flat()) {
                layers.add(new LayerSpec.Flatten());
            }
            layers.add(new LayerSpec.Dense(data.numClasses()));
            arch = new Architecture("student-layers-" + Integer.toHexString(body.hashCode()), data.channels(),
                    data.height(), data.width(), data.numClasses(), layers);
            dev.distillery.student.quant.IntegerConverter.checkStructure(
                    dev.distillery.core.model.BatchNormFolding.foldArchitecture(arch));
        } catch (IllegalArgumentException | dev.distillery.core.error.DataContractException e) {
            throw new InvalidConfigException("student.layers on " + data.channels() + "x" + data.height() + "x"
                    + data.width() + " inputs: " + e.getMessage() + " (layers count from 0)");
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException("student.layers cannot be converted to integers by qat: "
                    + e.getMessage() + (body.stream().anyMatch(l -> l instanceof LayerSpec.BatchNorm)
                    ? " (layers count from 0 once the batch norms are folded "
                    + "away, the classifier last)" : " (layers count from 0, the classifier last)"));
        }
        return arch;
    }

    /** Rejects a student larger than the configured fraction of its teacher, before any training. */
    public static void checkSize(Architecture student, Architecture teacher, double maxFraction) {
        checkSize(student, teacher.name(), teacher.parameterCount(), maxFraction);
    }

    /** As {@link #checkSize(Architecture, Architecture, double)} for a teacher known by name and size alone. */
    public static void checkSize(Architecture student, String teacher, long teacherParameters, double maxFraction) {
        // the size that matters is the one deployed: batch norms are folded into the layers before them
        student = dev.distillery.core.model.BatchNormFolding.foldArchitecture(student);
        long limit = (long) Math.floor(teacherParameters * maxFraction);
        if (student.parameterCount() > limit) {
            throw new InvalidConfigException("student " + student.name() + " has " + student.parameterCount()
                    + " parameters; student.max_teacher_fraction " + maxFraction + " of the teacher's ("
                    + teacher + ") " + teacherParameters + " allows at most " + limit);
        }
    }

    private static void normalise(List<LayerSpec> layers, StudentConfig cfg) {
        if (cfg.batchNorm()) {
            layers.add(new LayerSpec.BatchNorm(LayerSpec.BatchNorm.DEFAULT_EPSILON));
        }
    }

    private static int scale(int width, double multiplier) {
        return Math.max(1, (int) Math.round(width * multiplier));
    }
}
