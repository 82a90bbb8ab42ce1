package dev.distillery.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.distillery.core.error.DistilleryException;
import dev.distillery.core.error.InvalidConfigException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Loads a pipeline config: built-in defaults, then the user's YAML file, then {@code --set key=value} overrides
 * (values parsed as YAML, so {@code --set evaluation.profiles=[a,b]} works), bound to {@link PipelineConfig}.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper BINDER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();
    /**
     * Writes bound config records for hashing: each value in its bound type's form (a double as 4.0 however the
     * YAML spelled it), map entries sorted by key, record components in declaration order.
     */
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    /** Maps whose keys are user data (profile ids), replaced whole rather than merged key by key. */
    private static final java.util.Set<String> FREE_FORM = java.util.Set.of("evaluation.min_accuracy");

    private ConfigLoader() {
    }

    public static PipelineConfig load(Path file, List<String> overrides) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidConfigException("config file " + file + " does not exist");
        }
        JsonNode user;
        try {
            user = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidConfigException("config file " + file + " is not valid YAML: " + firstLine(e.getMessage()), e);
        }
        if (user != null && !user.isMissingNode() && !user.isObject()) {
            throw new InvalidConfigException("config file " + file + " must hold a YAML mapping, found " + user.getNodeType());
        }
        return fromTree(user == null || user.isMissingNode() ? JsonNodeFactory.instance.objectNode() : (ObjectNode) user,
                overrides, file.toString());
    }

    public static PipelineConfig fromTree(ObjectNode user, List<String> overrides, String source) {
        ObjectNode merged = defaults();
        merge(merged, user, "");
        for (String o : overrides) {
            applyOverride(merged, o);
        }
        PipelineConfig bound;
        try {
            bound = BINDER.treeToValue(merged, PipelineConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidConfigException(source + ": unknown key " + path(e) + " (known keys: "
                    + e.getKnownPropertyIds() + ")", e);
        } catch (JsonProcessingException e) {
            DistilleryException cause = findCause(e);
            if (cause != null) {
                throw new InvalidConfigException(source + ": " + cause.getMessage(), e);
            }
            throw new InvalidConfigException(source + ": invalid value at " + path(e) + ": "
                    + firstLine(e.getOriginalMessage()), e);
        } catch (IllegalArgumentException e) {
            DistilleryException cause = findCause(e);
            throw new InvalidConfigException(source + ": " + (cause != null ? cause.getMessage() : e.getMessage()), e);
        }
        return bound;
    }

    static ObjectNode defaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("defaults.yaml")) {
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("built-in defaults.yaml is unreadable", e);
        }
    }

    private static void merge(ObjectNode target, ObjectNode source, String prefix) {
        Iterator<Map.Entry<String, JsonNode>> it = source.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode existing = target.get(e.getKey());
            if (existing instanceof ObjectNode existingObj && e.getValue() instanceof ObjectNode valueObj
                    && !FREE_FORM.contains(prefix + e.getKey())) {
                merge(existingObj, valueObj, prefix + e.getKey() + ".");
            } else {
                target.set(e.getKey(), e.getValue());
            }
        }
    }

    private static void applyOverride(ObjectNode root, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new InvalidConfigException("--set expects key=value, was '" + override + "'");
        }
        String key = override.substring(0, eq).trim();
        String raw = override.substring(eq + 1);
        JsonNode value;
        try {
            value = raw.isEmpty() ? JsonNodeFactory.instance.textNode("") : YAML.readTree(raw);
        } catch (IOException e) {
            throw new InvalidConfigException("--set " + key + ": value '" + raw + "' is not valid YAML", e);
        }
        if (value == null || value.isMissingNode()) {
            value = JsonNodeFactory.instance.nullNode();
        }
        String[] parts = key.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (child == null) {
                throw new InvalidConfigException("--set " + key + ": unknown section " + String.join(".",
                        List.of(parts).subList(0, i + 1)));
            }
            if (!(child instanceof ObjectNode)) {
                throw new InvalidConfigException("--set " + key + ": " + String.join(".", List.of(parts).subList(0, i + 1))
                        + " is a value, not a section");
            }
            node = (ObjectNode) child;
        }
        node.set(parts[parts.length - 1], value);
    }

    /**
     * Keys added to a section after runs were made under it, with the value that was implied before they existed. At
     * that value they stay out of the section's hash, so the stages finished before (a trained teacher) still match
     * their manifests; any other value changes the hash.
     */
    private static final Map<String, Map<String, Object>> ADDED_LATER = Map.of(
            "teacher", Map.of("source", TeacherConfig.DISTILLERY, "onnx", new OnnxTeacherConfig(null, "nchw", false),
                    "architecture", "cnn", "layers", List.of(), "hidden", List.of(1200, 1200), "dropout", 0.0,
                    "batch_norm", false, "width_multiplier", 1.0, "augment", AugmentConfig.NONE),
            "student", Map.of("layers", List.of()));

    static String hashSections(PipelineConfig config, String... sections) {
        JsonNode tree = CANONICAL.valueToTree(config);
        ObjectNode subset = JsonNodeFactory.instance.objectNode();
        for (String s : sections) {
            JsonNode n = tree.get(s);
            if (n instanceof ObjectNode o && ADDED_LATER.containsKey(s)) {
                ObjectNode trimmed = o.deepCopy();
                ADDED_LATER.get(s).forEach((key, implied) -> {
                    if (CANONICAL.valueToTree(implied).equals(trimmed.get(key))) {
                        trimmed.remove(key);
                    }
                });
                n = trimmed;
            }
            subset.set(s, n == null ? JsonNodeFactory.instance.nullNode() : n);
        }
        try {
            Object canonical = CANONICAL.treeToValue(subset, Object.class);
            byte[] bytes = CANONICAL.writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String path(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
            StringBuilder sb = new StringBuilder();
            for (var ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    if (sb.length() > 0) {
                        sb.append('.');
                    }
                    sb.append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    sb.append('[').append(ref.getIndex()).append(']');
                }
            }
            return sb.toString();
        }
        return "?";
    }

    private static DistilleryException findCause(Throwable t) {
        while (t != null) {
            if (t instanceof DistilleryException d) {
                return d;
            }
            t = t.getCause();
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
