package dev.distillery.core.labels;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.config.AugmentConfig;
import dev.distillery.core.error.DataContractException;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a soft-label file says about itself, stored as string key-value pairs in every Parquet file's footer
 * (keys {@code distillery.*}, see docs/soft-labels.md) and, for people, in {@code soft-labels.json}.
 */
public record SoftLabelMetadata(
        String format,
        String storage,
        int k,
        String dtype,
        @JsonProperty("num_classes") int numClasses,
        @JsonProperty("class_names") List<String> classNames,
        @JsonProperty("temperature_hint") double temperatureHint,
        @JsonProperty("config_hash") String configHash,
        List<TeacherIdentity> teachers,
        String ensemble,
        int views,
        AugmentConfig augment,
        long seed,
        List<Integer> shape) implements Serializable {

    /** Value of {@code distillery.format}; a reader refuses any other. */
    public static final String FORMAT = "distillery-soft-labels/1";
    public static final String PREFIX = "distillery.";
    private static final ObjectMapper JSON = new ObjectMapper();

    public SoftLabelMetadata {
        if (!FORMAT.equals(format)) {
            throw new DataContractException("soft labels of format '" + format + "' cannot be read, expected " + FORMAT);
        }
        StorageMode mode = StorageMode.of(storage);
        if (numClasses < 1 || k < 1 || k > numClasses) {
            throw new DataContractException("soft-label metadata has k=" + k + " for " + numClasses
                    + " classes; k must be in [1, num_classes]");
        }
        if (mode != StorageMode.TOP_K && k != numClasses) {
            throw new DataContractException("dense soft labels must have k = num_classes (" + numClasses + "), was " + k);
        }
        if (teachers == null || teachers.isEmpty()) {
            throw new DataContractException("soft-label metadata names no teacher");
        }
        if (views < 1) {
            throw new DataContractException("soft-label metadata has views=" + views + ", expected >= 1");
        }
        classNames = List.copyOf(classNames);
        teachers = List.copyOf(teachers);
        shape = List.copyOf(shape);
    }

    /** The augmenter that made these labels' views, {@code (id, view)} to input, as the label stage made them. */
    public dev.distillery.core.augment.ViewAugmenter augmenter() {
        return new dev.distillery.core.augment.ViewAugmenter(augment, seed, shape.get(0), shape.get(1), shape.get(2));
    }

    public StorageMode mode() {
        return StorageMode.of(storage);
    }

    /** The footer entries: one key per field, lists and objects as JSON. */
    public Map<String, String> toFooter() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(PREFIX + "format", format);
        m.put(PREFIX + "storage", storage);
        m.put(PREFIX + "k", String.valueOf(k));
        m.put(PREFIX + "dtype", dtype);
        m.put(PREFIX + "num_classes", String.valueOf(numClasses));
        m.put(PREFIX + "class_names", json(classNames));
        m.put(PREFIX + "temperature_hint", String.valueOf(temperatureHint));
        m.put(PREFIX + "config_hash", configHash);
        m.put(PREFIX + "teacher_sha256", teachers.stream().map(TeacherIdentity::sha256).collect(Collectors.joining(",")));
        m.put(PREFIX + "teachers", json(teachers));
        m.put(PREFIX + "ensemble", ensemble);
        m.put(PREFIX + "views", String.valueOf(views));
        m.put(PREFIX + "augment", json(augment));
        m.put(PREFIX + "seed", String.valueOf(seed));
        m.put(PREFIX + "shape", json(shape));
        m.put(PREFIX + "values", "raw logits at temperature 1; distillation divides them by its temperature");
        return m;
    }

    /** Reads the footer entries written by {@link #toFooter()}; {@code source} names the file in errors. */
    public static SoftLabelMetadata fromFooter(Map<String, String> kv, String source) {
        try {
            return new SoftLabelMetadata(
                    get(kv, "format", source), get(kv, "storage", source),
                    Integer.parseInt(get(kv, "k", source)), get(kv, "dtype", source),
                    Integer.parseInt(get(kv, "num_classes", source)),
                    JSON.readValue(get(kv, "class_names", source), new TypeReference<List<String>>() { }),
                    Double.parseDouble(get(kv, "temperature_hint", source)), get(kv, "config_hash", source),
                    JSON.readValue(get(kv, "teachers", source), new TypeReference<List<TeacherIdentity>>() { }),
                    get(kv, "ensemble", source), Integer.parseInt(get(kv, "views", source)),
                    JSON.readValue(get(kv, "augment", source), AugmentConfig.class),
                    Long.parseLong(get(kv, "seed", source)),
                    JSON.readValue(get(kv, "shape", source), new TypeReference<List<Integer>>() { }));
        } catch (JsonProcessingException | NumberFormatException e) {
            throw new DataContractException(source + " has unreadable soft-label metadata: " + e.getMessage(), e);
        } catch (DataContractException e) {
            if (e.getMessage().startsWith(source)) {
                throw e;
            }
            throw new DataContractException(source + ": " + e.getMessage(), e);
        }
    }

    private static String get(Map<String, String> kv, String key, String source) {
        String v = kv.get(PREFIX + key);
        if (v == null) {
            throw new DataContractException(source + " is not a Distillery soft-label file: its Parquet footer has no "
                    + PREFIX + key + " entry");
        }
        return v;
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
