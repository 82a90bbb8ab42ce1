package dev.distillery.teacher.arch;

import dev.distillery.core.config.TeacherConfig;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The teacher's layers, from {@code teacher.architecture}:
 * <ul>
 *   <li>{@code cnn} (the default): per {@code conv_filters} entry a 3x3 convolution (batch norm with
 *       {@code batch_norm}), ReLU and 2x2 max pool, then a hidden dense layer of {@code dense_units}; dropout of
 *       {@code dropout} before each dense layer when it is above 0;</li>
 *   <li>{@code mlp}: dense layers of {@code hidden} units with ReLU (and dropout after each), as Hinton's
 *       1200-1200 teacher;</li>
 *   <li>{@code ds-cnn}: a 3x3 stem convolution of {@code conv_filters[0]}, then a depthwise-separable block (3x3
 *       depthwise, 1x1 pointwise, each with batch norm and ReLU) per further entry, 2x2 max pooling while the map is
 *       larger than 7x7, and global average pooling;</li>
 *   <li>{@code mobilenet-v1}: MobileNet v1's stem and 13 depthwise-separable blocks (32 to 1024 channels, times
 *       {@code width_multiplier}) with batch norm and ReLU6, strides as in the paper while the map is larger than
 *       1x1, and global average pooling;</li>
 *   <li>{@code resnet8}: MLPerf Tiny's ResNet-8: a 3x3 stem convolution of 16 filters, then three residual blocks
 *       of 16, 32 and 64 filters (times {@code width_multiplier}), each two 3x3 convolutions with batch norm and an
 *       add of the block's input, through a strided 1x1 projection in the two blocks that halve the map and double
 *       the width, and global average pooling;</li>
 *   <li>{@code layers}: the list in {@code teacher.layers}.</li>
 * </ul>
 * Every architecture ends in its classifier: a flatten when the last layer gives a map, then a dense layer of one
 * unit per class, which the layer list leaves out.
 */
public final class TeacherArchitecture {
    /** MobileNet v1's depthwise-separable blocks: pointwise width and depthwise stride. */
    private static final int[][] MOBILENET_V1 = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},
            {512, 1}, {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};

    private TeacherArchitecture() {
    }

    public static Architecture of(TeacherConfig cfg, DatasetInfo data) {
        List<LayerSpec> layers = new ArrayList<>();
        String name;
        switch (cfg.architecture()) {
            case "mlp" -> {
                layers.add(new LayerSpec.Flatten());
                for (int units : cfg.hidden()) {
                    layers.add(new LayerSpec.Dense(units));
                    norm(layers, cfg);
                    layers.add(new LayerSpec.Relu());
                    dropout(layers, cfg);
                }
                name = "teacher-mlp-" + join(cfg.hidden());
            }
            case "ds-cnn" -> {
                int h = data.height();
                int w = data.width();
                layers.add(new LayerSpec.Conv2d(cfg.convFilters().get(0), 3, 1));
                layers.add(new LayerSpec.BatchNorm(LayerSpec.BatchNorm.DEFAULT_EPSILON));
                layers.add(new LayerSpec.Relu());
                for (int filters : cfg.convFilters().subList(1, cfg.convFilters().size())) {
                    layers.add(new LayerSpec.DepthwiseConv2d(3, 1));
                    layers.add(new LayerSpec.BatchNorm(LayerSpec.BatchNorm.DEFAULT_EPSILON));
                    layers.add(new LayerSpec.Relu());
                    layers.add(new LayerSpec.Conv2d(filters, 1, 1));
                    layers.add(new LayerSpec.BatchNorm(LayerSpec.BatchNorm.DEFAULT_EPSILON));
                    layers.add(new LayerSpec.Relu());
                    if (h > 7 && w > 7) {
                        layers.add(new LayerSpec.MaxPool(2));
                        h /= 2;
                        w /= 2;
                    }
                }
                layers.add(new LayerSpec.GlobalAvgPool());
                dropout(layers, cfg);
                name = "teacher-ds-cnn-" + join(cfg.convFilters());
            }
            case "mobilenet-v1" -> {
                int size = Math.min(data.height(), data.width());
                layers.add(new LayerSpec.Conv2d(scale(32, cfg), 3, size > 1 ? 2 : 1));
                size = (size + 1) / 2;
                layers.add(new LayerSpec.BatchNorm(LayerSpec.BatchNorm.DEFAULT_EPSILON));
                layers.add(new LayerSpec.Relu6());
                for (int[] block : MOBILENET_V1) {
                    int stride = block[1] == 2 && size > 1 ? 2 : 1;
                    size = (size + stride - 1) / stride;
                    layers.add(new LayerSpec.DepthwiseConv2d(3, stride));
                    layers.add(new LayerSpec.BatchNorm(LayerSpec.BatchNorm.DEFAULT_EPSILON));
                    layers.add(new LayerSpec.Relu6());
                    layers.add(new LayerSpec.Conv2d(scale(block[0], cfg), 1, 1));
                    layers.add(new LayerSpec.BatchNorm(LayerSpec.BatchNorm.DEFAULT_EPSILON));
                    layers.add(new LayerSpec.Relu6());
                }
                layers.add(new LayerSpec.GlobalAvgPool());
                dropout(layers, cfg);
                name = "teacher-mobilenet-v1-" + cfg.widthMultiplier();
            }
            case "resnet8" -> {
                int size = Math.min(data.height(), data.width());
                layers.add(new LayerSpec.Conv2d(scale(16, cfg), 3, 1));
                layers.add(new LayerSpec.BatchNorm(LayerSpec.BatchNorm.DEFAULT_EPSILON));
                layers.add(new LayerSpec.Relu());
                for (int width : new int[]{16, 32, 64}) {
                    int blockInput = layers.size() - 1;
                    int stride = width > 16 && size > 1 ? 2 : 1;
                    size = (size + stride - 1) / stride;
                    layers.add(new LayerSpec.Conv2d(scale(width, cfg), 3, stride));
                    layers.add(new LayerSpec.BatchNorm(LayerSpec.BatchNorm.DEFAULT_EPSILON));
                    layers.add(new LayerSpec.Relu());
                    layers.add(new LayerSpec.Conv2d(scale(width, cfg), 3, 1));
                    layers.add(new LayerSpec.BatchNorm(LayerSpec.BatchNorm.DEFAULT_EPSILON));
                    layers.add(new LayerSpec.Add(blockInput, width > 16));
                    layers.add(new LayerSpec.Relu());
                }
                layers.add(new LayerSpec.GlobalAvgPool());
                dropout(layers, cfg);
                name = "teacher-resnet8-" + cfg.widthMultiplier();
            }
            case "layers" -> {
                layers.addAll(cfg.layers());
                name = "teacher-layers-" + Integer.toHexString(cfg.layers().hashCode());
            }
            default -> {
                int h = data.height();
                int w = data.width();
                for (int filters : cfg.convFilters()) {
                    layers.add(new LayerSpec.Conv2d(filters, 3, 1));
                    norm(layers, cfg);
                    layers.add(new LayerSpec.Relu());
                    if (h >= 4 && w >= 4) {
                        layers.add(new LayerSpec.MaxPool(2));
                        h /= 2;
                        w /= 2;
                    }
                }
                layers.add(new LayerSpec.Flatten());
                dropout(layers, cfg);
                layers.add(new LayerSpec.Dense(cfg.denseUnits()));
                norm(layers, cfg);
                layers.add(new LayerSpec.Relu());
                dropout(layers, cfg);
                name = "teacher-cnn-" + join(cfg.convFilters()) + "-d" + cfg.denseUnits() + (cfg.batchNorm() ? "-bn" : "");
            }
        }
        return classifier(name, layers, data);
    }

    /** Appends the classifier and resolves the shapes; an impossible shape names the layer and its field. */
    private static Architecture classifier(String name, List<LayerSpec> body, DatasetInfo data) {
        List<LayerSpec> layers = new ArrayList<>(body);
        try {
            if (!Architecture.outputShape(data.channels(), data.height(), data.width(), body).flat()) {
                layers.add(new LayerSpec.Flatten());
            }
            layers.add(new LayerSpec.Dense(data.numClasses()));
            return new Architecture(name, data.channels(), data.height(), data.width(), data.numClasses(), layers);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("teacher (" + name + ") on " + data.channels() + "x" + data.height() + "x"
                    + data.width() + " inputs: " + e.getMessage() + " (teacher.layers and teacher.architecture list "
                    + "layers from 0)");
        }
    }

    private static void norm(List<LayerSpec> layers, TeacherConfig cfg) {
        if (cfg.batchNorm()) {
            layers.add(new LayerSpec.BatchNorm(LayerSpec.BatchNorm.DEFAULT_EPSILON));
        }
    }

    private static void dropout(List<LayerSpec> layers, TeacherConfig cfg) {
        if (cfg.dropout() > 0) {
            layers.add(new LayerSpec.Dropout(cfg.dropout()));
        }
    }

    private static int scale(int width, TeacherConfig cfg) {
        return Math.max(1, (int) Math.round(width * cfg.widthMultiplier()));
    }

    private static String join(List<Integer> values) {
        return String.join("-", values.stream().map(String::valueOf).toList());
    }
}
