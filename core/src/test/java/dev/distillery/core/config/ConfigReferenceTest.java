package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds docs/config.md to the config the code accepts: the keys are those the config records bind, each must be in
 * the built-in defaults and in the document, and the default the document gives must be the built-in one.
 */
class ConfigReferenceTest {
    private static final Path DOC = Path.of("..", "docs", "config.md");
    /** A table row of the reference: | `key` | `default` | meaning |. */
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9_.]+)` \\| `([^`]*)` \\|");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static Map<String, String> documented;
    private static List<String> duplicates;

    @BeforeAll
    static void readDocument() throws IOException {
        documented = new LinkedHashMap<>();
        duplicates = new ArrayList<>();
        for (String line : Files.readAllLines(DOC)) {
            Matcher m = ROW.matcher(line);
            if (m.find() && documented.put(m.group(1), m.group(2)) != null) {
                duplicates.add(m.group(1));
            }
        }
    }

    @Test
    void documentListsEveryKeyTheConfigAccepts() {
        TreeSet<String> missing = new TreeSet<>(boundKeys());
        missing.removeAll(documented.keySet());
        assertThat(missing).as("keys of the config records without a row in %s", DOC).isEmpty();
        assertThat(duplicates).as("keys with two rows in %s", DOC).isEmpty();
    }

    @Test
    void documentNamesNoKeyTheConfigRejects() {
        TreeSet<String> unknown = new TreeSet<>(documented.keySet());
        unknown.removeAll(boundKeys());
        assertThat(unknown).as("rows of %s that name no key of the config records", DOC).isEmpty();
    }

    @Test
    void builtInDefaultsHoldEveryKeyTheConfigAccepts() {
        JsonNode defaults = ConfigLoader.defaults();
        List<String> missing = boundKeys().stream().filter(k -> at(defaults, k).isMissingNode()).toList();
        assertThat(missing).as("keys the config records bind but defaults.yaml leaves out").isEmpty();
    }

    @Test
    void documentedDefaultsAreTheBuiltInOnes() throws IOException {
        JsonNode defaults = ConfigLoader.defaults();
        Map<String, String> wrong = new LinkedHashMap<>();
        for (Map.Entry<String, String> row : documented.entrySet()) {
            JsonNode builtIn = at(defaults, row.getKey());
            if (builtIn.isMissingNode()) {
                continue; // reported by documentNamesNoKeyTheConfigRejects
            }
            JsonNode written = YAML.readTree(row.getValue());
            if (written == null || written.isMissingNode() || !written.equals(NUMERIC, builtIn)) {
                wrong.put(row.getKey(), "documented `" + row.getValue() + "`, built in " + builtIn);
            }
        }
        assertThat(wrong).as("defaults in %s that differ from defaults.yaml", DOC).isEmpty();
        assertThat(documented).as("rows read from %s", DOC).hasSizeGreaterThan(90);
    }

    /** 1440 and 1440.0 are the same default: compares numbers by value, everything else exactly. */
    private static final Comparator<JsonNode> NUMERIC = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return Double.compare(a.doubleValue(), b.doubleValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private static JsonNode at(JsonNode root, String key) {
        return root.at("/" + key.replace('.', '/'));
    }

    /** Every YAML path the records bind: nested records are sections, anything else (maps included) one key. */
    private static TreeSet<String> boundKeys() {
        TreeSet<String> keys = new TreeSet<>();
        collect(PipelineConfig.class, "", keys);
        return keys;
    }

    private static void collect(Class<?> record, String prefix, TreeSet<String> keys) {
        for (RecordComponent c : record.getRecordComponents()) {
            // Jackson's annotations do not target record components; Java puts them on the accessor (and field)
            if (c.getAccessor().isAnnotationPresent(JsonIgnore.class)) {
                continue;
            }
            JsonProperty named = c.getAccessor().getAnnotation(JsonProperty.class);
            String key = prefix + (named != null && !named.value().isEmpty() ? named.value() : c.getName());
            if (c.getType().isRecord()) {
                collect(c.getType(), key + ".", keys);
            } else {
                keys.add(key);
            }
        }
    }
}
