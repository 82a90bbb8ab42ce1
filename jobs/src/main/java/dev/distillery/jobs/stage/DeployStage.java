package dev.distillery.jobs.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.error.TransientFailureException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * deploy: one bundle per profile that has a recommended variant, {@code deploy/<profile>/}: the artifact that
 * profile's toolchain takes (C sources, a TFLite flatbuffer or an ONNX model, as the report's deployments name
 * it), {@code quantization.json} with the model input's and output's quantization, the variant's model card, a
 * {@code README.md} on how to use the files, and {@code SHA256SUMS} over them all. {@code index.json} lists every
 * profile, with the variant it ships or null when none passes.
 */
public final class DeployStage implements Stage {
    public static final StageFolder OUTPUT = new StageFolder("deploy");
    static final String INDEX = "index.json";
    static final String CHECKSUMS = "SHA256SUMS";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public String name() {
        return "deploy";
    }

    @Override
    public StageFolder output() {
        return OUTPUT;
    }

    @Override
    public List<String> configSections() {
        // everything deploy decides comes from its inputs: the report and the export folder
        return List.of();
    }

    @Override
    public List<Path> inputs(StageContext ctx) {
        return List.of(ExportStage.OUTPUT.dir(ctx), EvaluateStage.OUTPUT.dir(ctx));
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        JsonNode report = readReport(EvaluateStage.REPORT_JSON.path(ctx));
        ExportedArtifacts index = ExportedArtifacts.read(ExportStage.OUTPUT.dir(ctx)).orElseThrow(() ->
                new DataContractException(ExportStage.OUTPUT.dir(ctx) + " has no " + ExportedArtifacts.FILE
                        + "; re-run export with --force"));
        ObjectNode summary = JSON.createObjectNode();
        ArrayNode profiles = summary.putArray("profiles");
        int bundles = 0;
        for (JsonNode rec : report.path("recommendations")) {
            String profile = rec.path("profile").asText();
            ObjectNode entry = profiles.addObject().put("profile", profile);
            JsonNode deployment = find(report.path("deployments"), "profile", profile);
            if (deployment == null) {
                entry.putNull("variant");
                entry.put("reason", rec.path("variant").isNull() ? "no variant passes this profile's gates (see "
                        + EvaluateStage.REPORT_MD.relative() + ")"
                        : "the recommended variant has no artifact in this profile's format");
                continue;
            }
            String variant = deployment.path("variant").asText();
            ExportedArtifacts.Entry exported = index.entry(variant).orElseThrow(() -> new DataContractException(
                    "the report recommends " + variant + " for " + profile + " but the export index has no such "
                            + "variant; re-run evaluate after export"));
            Path bundle = workDir.resolve(profile);
            List<String> files = DeployBundle.write(ctx.outRoot(), bundle, deployment, exported,
                    modelCard(report, EvaluateStage.OUTPUT.dir(ctx), variant));
            entry.put("variant", variant).put("format", deployment.path("format").asText());
            ArrayNode names = entry.putArray("files");
            files.forEach(names::add);
            bundles++;
        }
        try {
            Files.writeString(workDir.resolve(INDEX), JSON.writeValueAsString(summary) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ctx.console().printf("  deploy: %d bundle(s) in %s%n", bundles, OUTPUT.dir(ctx));
        return new StageResult().metric("bundles", bundles).output("index", INDEX);
    }

    private static JsonNode readReport(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (java.io.FileNotFoundException e) {
            throw new DataContractException("deploy needs the report " + file + "; run evaluate first", e);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new DataContractException(file + " is not a valid report (" + e.getOriginalMessage()
                    + "); re-run evaluate with --force", e);
        } catch (IOException e) {
            throw new TransientFailureException("could not read " + file + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (n.path(field).asText().equals(value)) {
                return n;
            }
        }
        return null;
    }

    /** The variant's model card written by evaluate; null when the report has none for it. */
    private static Path modelCard(JsonNode report, Path reportsDir, String variant) {
        JsonNode card = find(report.path("model_cards"), "variant", variant);
        return card == null ? null : reportsDir.resolve(card.path("file").asText());
    }

    /** SHA-256 of a file as lower-case hex. */
    static String sha256(Path file) {
        try (var in = Files.newInputStream(file)) {
            var digest = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new TransientFailureException("could not read " + file + ": " + e.getMessage(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies a file into the bundle under its own name. */
    static void copy(Path from, Path toDir) {
        try {
            Files.copy(from, toDir.resolve(from.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DataContractException("deploy needs " + from + ", which is missing; re-run export with --force",
                    e);
        } catch (IOException e) {
            throw new TransientFailureException("could not copy " + from + ": " + e.getMessage(), e);
        }
    }

    /** Every regular file of a folder, names sorted. */
    static List<String> fileNames(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return new ArrayList<>(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted()
                    .toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
