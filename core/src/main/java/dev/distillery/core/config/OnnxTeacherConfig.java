package dev.distillery.core.config;

import dev.distillery.core.error.InvalidConfigException;

import java.util.List;

/**
 * A teacher trained elsewhere and exported to ONNX: where the model file is (a local path, absolute or relative to the
 * working folder or the Distillery home, or any Hadoop file system URI) and whether its image input is channels-first ({@code nchw}, which also covers
 * a flat input of C*H*W values in that order) or channels-last ({@code nhwc}); and whether train-teacher translates it
 * into Distillery's layers and trains it further with the Spark trainer ({@code translate}), after which the run's
 * teacher is that Distillery model.
 */
public record OnnxTeacherConfig(String model, String layout, boolean translate) {
    public static final List<String> LAYOUTS = List.of("nchw", "nhwc");

    public OnnxTeacherConfig {
        Check.required("teacher.onnx.layout", layout);
        if (!LAYOUTS.contains(layout)) {
            throw new InvalidConfigException("teacher.onnx.layout must be one of " + LAYOUTS + ", was " + layout);
        }
        if (translate && "nhwc".equals(layout)) {
            throw new InvalidConfigException("teacher.onnx.translate takes a channels-first model (teacher.onnx.layout: "
                    + "nchw), was nhwc");
        }
        if (model != null && model.isBlank()) {
            throw new InvalidConfigException("teacher.onnx.model must name an ONNX file, was blank");
        }
    }
}
