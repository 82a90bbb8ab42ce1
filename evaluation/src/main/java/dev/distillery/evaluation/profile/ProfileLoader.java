package dev.distillery.evaluation.profile;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.error.TransientFailureException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Reads hardware profiles from a folder of {@code <id>.yaml} files; every error names the file and the field. */
public final class ProfileLoader {
    private static final String SUFFIX = ".yaml";
    // Ids become file names; refusing separators keeps "../secrets" from resolving outside the folder.
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // "ram_bytes: 5.5" is a mistake to report, not a value to truncate.
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private ProfileLoader() {
    }

    /** Loads {@code dir/<id>.yaml}; an unknown id fails with the list of ids that do exist. */
    public static HardwareProfile load(Path dir, String id) {
        List<String> available = availableIds(dir);
        if (id == null || !ID.matcher(id).matches() || !available.contains(id)) {
            throw new InvalidConfigException("unknown hardware profile '" + id + "' in " + dir
                    + "; available: " + String.join(", ", available));
        }
        return read(dir.resolve(id + SUFFIX), id);
    }

    /** Loads the profiles in the order given; a repeated id is a config mistake, not something to deduplicate. */
    public static List<HardwareProfile> loadAll(Path dir, List<String> ids) {
        if (ids == null || ids.isEmpty()) {
            throw new InvalidConfigException("no hardware profiles requested; available in " + dir + ": "
                    + String.join(", ", availableIds(dir)));
        }
        if (new LinkedHashSet<>(ids).size() != ids.size()) {
            throw new InvalidConfigException("hardware profiles " + ids + " name a profile more than once");
        }
        List<HardwareProfile> out = new ArrayList<>();
        for (String id : ids) {
            out.add(load(dir, id));
        }
        return List.copyOf(out);
    }

    /** Ids of the profiles in a folder, sorted. */
    public static List<String> availableIds(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidConfigException("hardware profile folder " + dir + " does not exist");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(SUFFIX))
                    .map(n -> n.substring(0, n.length() - SUFFIX.length()))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new TransientFailureException("could not list hardware profiles in " + dir, e);
        }
    }

    private static HardwareProfile read(Path file, String id) {
        String where = file.getFileName().toString();
        ProfileFile raw;
        try {
            raw = YAML.readValue(file.toFile(), ProfileFile.class);
        } catch (UnrecognizedPropertyException e) {
            // A misspelt key inside a source must list the source's fields, not the profile's.
            boolean inSource = e.getPath().stream().anyMatch(ref -> "sources".equals(ref.getFieldName()));
            boolean inToolchain = e.getPath().stream().anyMatch(ref -> "toolchain".equals(ref.getFieldName()));
            String path = inSource || inToolchain ? describePath(e) + "." : "";
            List<String> known = inSource ? List.of("title", "url", "figures", "used_for", "assumed")
                    : inToolchain ? List.of("format", "per_tensor_weights", "per_tensor_rule", "core", "clock_hz",
                    "cycles_per_instruction") : ProfileFile.fieldNames();
            throw new InvalidConfigException(where + ": unknown field '" + path + e.getPropertyName() + "' (known: "
                    + String.join(", ", known) + ")", e);
        } catch (JsonMappingException e) {
            throw new InvalidConfigException(where + ": " + describe(e), e);
        } catch (JsonProcessingException e) {
            throw new InvalidConfigException(where + ": not valid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new TransientFailureException("could not read hardware profile " + file, e);
        }
        if (raw == null) {
            throw new InvalidConfigException(where + ": file is empty");
        }
        try {
            return raw.toProfile(id);
        } catch (InvalidConfigException | IllegalArgumentException e) {
            throw new InvalidConfigException(where + ": " + e.getMessage(), e);
        }
    }

    /** The JSON path of the object holding the offending field, e.g. {@code sources[2]}. */
    private static String describePath(JsonMappingException e) {
        List<JsonMappingException.Reference> refs = e.getPath();
        return refs.subList(0, Math.max(0, refs.size() - 1)).stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String describe(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        // A validating constructor (e.g. Citation) throws inside Jackson; its own message is the useful part.
        Throwable cause = e.getCause();
        String detail = cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
        return (path.isEmpty() ? "" : path + ": ") + detail;
    }
}
