package dev.distillery.jobs.stage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.error.TransientFailureException;
import dev.distillery.evaluation.profile.DeployFormat;
import dev.distillery.evaluation.report.Artifact;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What export wrote, by the variant name evaluate reports: each file by format ({@code dint}, {@code onnx},
 * {@code tflite}, {@code c}, {@code c_header}), and for integer variants the quantization of the model's input and
 * output as a device feeds and reads them. Written as {@code export/artifacts.json}; evaluate and deploy find a
 * variant's files here instead of re-deriving file names.
 */
record ExportedArtifacts(List<Entry> variants) {
    static final String FILE = "artifacts.json";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT).build();

    /**
     * One variant's exported files, paths relative to the export folder.
     *
     * @param output the quantization of the output codes the TFLite file produces; null when it has none
     */
    record Entry(String variant, String precision, Map<String, String> files, IoQuantization input,
                 IoQuantization output) {
        Entry {
            files = new LinkedHashMap<>(files);
        }
    }

    /** Real value = scale x (code - zero point), for codes of the given type ({@code uint8}). */
    record IoQuantization(String dtype, double scale, int zeroPoint) {
    }

    ExportedArtifacts {
        variants = List.copyOf(variants);
    }

    Optional<Entry> entry(String variant) {
        return variants.stream().filter(e -> e.variant().equals(variant)).findFirst();
    }

    void write(Path exportDir) {
        try {
            Files.writeString(exportDir.resolve(FILE), JSON.writeValueAsString(this) + "\n");
        } catch (IOException e) {
            throw new TransientFailureException("could not write " + exportDir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    /** The index of an export folder; empty for a folder written before export kept one. */
    static Optional<ExportedArtifacts> read(Path exportDir) {
        Path file = exportDir.resolve(FILE);
        try {
            return Optional.of(JSON.readValue(file.toFile(), ExportedArtifacts.class));
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return Optional.empty();
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new DataContractException(file + " is not a valid export index (" + e.getOriginalMessage()
                    + "); re-run export with --force", e);
        } catch (IOException e) {
            throw new TransientFailureException("could not read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The artifacts a report judges deployability by, keyed by format, with paths relative to the run folder. The
     * C artifact is the generated source file.
     */
    Map<String, Map<DeployFormat, Artifact>> byFormat(Path exportDir, String exportFolderName) {
        Map<String, Map<DeployFormat, Artifact>> out = new LinkedHashMap<>();
        for (Entry e : variants) {
            Map<DeployFormat, Artifact> files = new LinkedHashMap<>();
            for (DeployFormat f : DeployFormat.values()) {
                String rel = e.files().get(f.id());
                if (rel != null) {
                    files.put(f, new Artifact(exportFolderName + "/" + rel, size(exportDir.resolve(rel))));
                }
            }
            out.put(e.variant(), files);
        }
        return out;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            throw new DataContractException("export index lists " + file + ", which is missing; re-run export with "
                    + "--force", e);
        } catch (IOException e) {
            throw new TransientFailureException("could not read the size of " + file + ": " + e.getMessage(), e);
        }
    }
}
