package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.InvalidConfigException;

import java.util.List;

/**
 * Where the raw examples come from and how they are split. {@code format} is idx, csv or parquet; for idx the four
 * files are named, for csv/parquet {@code train_file}/{@code test_file} hold a label column and feature columns
 * ({@code feature_columns}, or every column but the label when that list is empty).
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
        @JsonProperty("feature_columns") List<String> featureColumns,
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
        featureColumns = featureColumns == null ? List.of() : List.copyOf(featureColumns);
        for (int i = 0; i < featureColumns.size(); i++) {
            String c = featureColumns.get(i);
            if (c == null || c.isBlank()) {
                throw new InvalidConfigException("data.feature_columns[" + i + "] must name a column, was " + c);
            }
            if (c.equals(labelColumn)) {
                throw new InvalidConfigException("data.feature_columns[" + i + "] is the label column " + c
                        + " (data.label_column)");
            }
            if (featureColumns.indexOf(c) != i) {
                throw new InvalidConfigException("data.feature_columns lists " + c + " twice");
            }
        }
        classNames = classNames == null ? List.of() : List.copyOf(classNames);
        shape = shape == null ? null : List.copyOf(shape);
    }
}
