package dev.distillery.core.data;

import dev.distillery.core.config.DataConfig;
import dev.distillery.core.error.DataContractException;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The label and feature columns prepare reads from a CSV or Parquet table, checked against the table's schema
 * before any Spark job runs: a column of a type prepare cannot turn into a number is refused by name and type.
 *
 * @param label         the label column ({@code data.label_column})
 * @param features      the feature columns in order: those {@code data.feature_columns} lists, else every other one
 * @param featuresArray whether {@code features} is the single array column named {@code features}
 */
public record TabularColumns(String label, List<String> features, boolean featuresArray) {
    /** What prepare accepts, for messages. */
    public static final String ACCEPTED = "numeric feature columns (byte, short, int, long, float, double, decimal) "
            + "and boolean ones (read as 0 or 1), or a single array column of them named 'features'";
    /** The column name that holds a whole feature vector as an array. */
    public static final String ARRAY_COLUMN = "features";

    public TabularColumns {
        features = List.copyOf(features);
    }

    /** Checks {@code schema}, the schema of {@code file}, against the config's label and feature columns. */
    public static TabularColumns of(StructType schema, DataConfig cfg, Path file) {
        List<String> columns = Arrays.asList(schema.fieldNames());
        String label = cfg.labelColumn();
        if (!columns.contains(label)) {
            throw new DataContractException(file + " has no label column '" + label + "' (data.label_column); "
                    + "columns are " + columns);
        }
        DataType labelType = schema.apply(label).dataType();
        if (!isScalar(labelType)) {
            throw new DataContractException(file + ": label column '" + label + "' has type "
                    + labelType.simpleString() + "; prepare takes class indices 0..K-1 in a numeric or boolean "
                    + "column (data.label_column): map class names to indices and list the names in "
                    + "data.class_names");
        }
        List<String> features;
        if (!cfg.featureColumns().isEmpty()) {
            List<String> unknown = cfg.featureColumns().stream().filter(c -> !columns.contains(c)).toList();
            if (!unknown.isEmpty()) {
                throw new DataContractException("data.feature_columns names " + unknown + ", which " + file
                        + " does not have; columns are " + columns);
            }
            features = cfg.featureColumns();
        } else {
            features = columns.stream().filter(c -> !c.equals(label)).toList();
        }
        boolean array = features.equals(List.of(ARRAY_COLUMN))
                && schema.apply(ARRAY_COLUMN).dataType() instanceof ArrayType;
        if (array) {
            DataType element = ((ArrayType) schema.apply(ARRAY_COLUMN).dataType()).elementType();
            if (!isScalar(element)) {
                throw new DataContractException(file + ": column 'features' has type "
                        + schema.apply(ARRAY_COLUMN).dataType().simpleString() + "; prepare takes " + ACCEPTED);
            }
            return new TabularColumns(label, features, true);
        }
        List<String> refused = new ArrayList<>();
        for (String c : features) {
            DataType type = schema.apply(c).dataType();
            if (!isScalar(type)) {
                refused.add(c + " (" + type.simpleString() + ")");
            }
        }
        if (!refused.isEmpty()) {
            throw new DataContractException(file + " has feature columns prepare cannot read: "
                    + String.join(", ", refused) + ". prepare takes " + ACCEPTED + ". Every column except "
                    + "data.label_column is a feature unless data.feature_columns lists the ones to use"
                    + suggestion(schema, label).map(s -> ", e.g. data.feature_columns: " + s).orElse("")
                    + "; other columns must be converted to numbers first"
                    + (cfg.format().equals("csv") && refused.stream().anyMatch(r -> r.endsWith("(string)"))
                    ? " (Spark reads a CSV column as text when any of its cells is not a number, e.g. NA)" : ""));
        }
        return new TabularColumns(label, features, false);
    }

    /** Numeric and boolean values become floats without loss of meaning; dates, times and text do not. */
    private static boolean isScalar(DataType type) {
        return type instanceof NumericType || type instanceof BooleanType;
    }

    private static Optional<String> suggestion(StructType schema, String label) {
        List<String> usable = Arrays.stream(schema.fields())
                .filter(f -> !f.name().equals(label) && isScalar(f.dataType())).map(StructField::name).toList();
        return usable.isEmpty() ? Optional.empty() : Optional.of("[" + String.join(", ", usable) + "]");
    }
}
