package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.InvalidConfigException;

import java.util.List;

/**
 * Where the raw examples come from and how they are split. {@code format} is idx, csv or parquet; for idx the four
 * files are named, for csv/parquet {@code train_file}/{@code test_file} hold a label column and feature columns.
 */
public record DataConfig(
        String format,
        String dir,
        @JsonProperty("train_images") String trainImages,
        @JsonProperty("train_labels") String trainLabels,
        @JsonProperty("test_images") String testImages,
        @JsonProperty("test_labels") String testLabels,
        @JsonProperty("train_file") String trainFile,
        @JsonProperty("test_file") String testFile,
        @JsonProperty("label_column") String labelColumn,
        @JsonProperty("csv_header") boolean csvHeader,
        List<Integer> shape,
        @JsonProperty("feature_scale") double featureScale,
        @JsonProperty("validation_fraction") double validationFraction,
        @JsonProperty("train_limit") int trainLimit,
        @JsonProperty("test_limit") int testLimit,
        @JsonProperty("class_names") List<String> classNames) {

    public DataConfig {
        Check.required("data.format", format);
        if (!List.of("idx", "csv", "parquet").contains(format)) {
            throw new InvalidConfigException("data.format must be one of idx, csv, parquet, was " + format);
        }
        Check.required("data.dir", dir);
        if (format.equals("idx")) {
            Check.required("data.train_images", trainImages);
            Check.required("data.train_labels", trainLabels);
            Check.required("data.test_images", testImages);
            Check.required("data.test_labels", testLabels);
        } else {
            Check.required("data.train_file", trainFile);
            Check.required("data.test_file", testFile);
            Check.required("data.label_column", labelColumn);
            Check.required("data.shape", shape);
        }
        if (shape != null && (shape.size() != 3 || shape.stream().anyMatch(s -> s == null || s < 1))) {
            throw new InvalidConfigException("data.shape must be [channels, height, width] with positive sizes, was "
                    + shape);
        }
        Check.positive("data.feature_scale", featureScale);
        Check.range("data.validation_fraction", validationFraction, 0.0, 0.5, true);
        Check.nonNegative("data.train_limit", trainLimit);
        Check.nonNegative("data.test_limit", testLimit);
        classNames = classNames == null ? List.of() : List.copyOf(classNames);
        shape = shape == null ? null : List.copyOf(shape);
    }
}
