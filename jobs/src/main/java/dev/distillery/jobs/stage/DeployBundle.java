package dev.distillery.jobs.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The files of one profile's deployment bundle: artifact, quantization, model card, usage note, checksums. */
final class DeployBundle {
    static final String QUANTIZATION = "quantization.json";
    static final String MODEL_CARD = "MODEL_CARD.md";
    static final String README = "README.md";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DeployBundle() {
    }

    /** Writes the bundle folder and returns its file names, checksum file last. */
    static List<String> write(Path runRoot, Path bundle, JsonNode deployment, ExportedArtifacts.Entry exported,
                              Path modelCard) {
        String format = deployment.path("format").asText();
        try {
            Files.createDirectories(bundle);
            Path exportDir = ExportStage.OUTPUT.dir(runRoot);
            for (Map.Entry<String, String> f : exported.files().entrySet()) {
                if (f.getKey().equals(format) || f.getKey().startsWith(format + "_")) {
                    DeployStage.copy(exportDir.resolve(f.getValue()), bundle);
                }
            }
            Files.writeString(bundle.resolve(QUANTIZATION), quantization(exported, format));
            if (modelCard != null && Files.exists(modelCard)) {
                Files.copy(modelCard, bundle.resolve(MODEL_CARD));
            }
            Files.writeString(bundle.resolve(README), usage(deployment, exported));
            StringBuilder sums = new StringBuilder();
            for (String name : DeployStage.fileNames(bundle)) {
                sums.append(DeployStage.sha256(bundle.resolve(name))).append("  ").append(name).append('\n');
            }
            Files.writeString(bundle.resolve(DeployStage.CHECKSUMS), sums.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return DeployStage.fileNames(bundle);
    }

    /** The model's input and output as this format's artifact takes and returns them. */
    private static String quantization(ExportedArtifacts.Entry e, String format) throws IOException {
        ObjectNode root = JSON.createObjectNode().put("variant", e.variant()).put("precision", e.precision())
                .put("format", format);
        boolean integer = e.input() != null;
        switch (integer ? format : "float") {
            case "tflite" -> {
                io(root.putObject("input"), e.input());
                io(root.putObject("output"), e.output());
            }
            case "c" -> {
                io(root.putObject("input"), e.input());
                root.putObject("output").put("dtype", "int32 accumulators, float32 logits")
                        .put("note", "the invoke function returns int32 accumulators; the logits function scales "
                                + "them to float32 logits exactly as Distillery's integer runtime does");
            }
            default -> {
                root.putObject("input").put("dtype", "float32").put("note", "pixels in [0, 1], NCHW, batch 1");
                root.putObject("output").put("dtype", "float32").put("note", "logits");
            }
        }
        return JSON.writeValueAsString(root) + "\n";
    }

    private static void io(ObjectNode node, ExportedArtifacts.IoQuantization q) {
        node.put("dtype", q.dtype()).put("scale", q.scale()).put("zero_point", q.zeroPoint())
                .put("real_value", "scale * (code - zero_point)");
    }

    private static String usage(JsonNode d, ExportedArtifacts.Entry e) {
        String profile = d.path("profile").asText();
        String format = d.path("format").asText();
        StringBuilder md = new StringBuilder("# " + e.variant() + " for " + profile + "\n\n");
        md.append("Recommended by Distillery's evaluation for `").append(profile).append("` (see MODEL_CARD.md). ")
                .append("Verify the files with `sha256sum -c SHA256SUMS`.\n\n");
        switch (format) {
            case "c" -> md.append("""
                    Add the `.c` and `.h` files to the firmware build (C99, no heap, no libraries beyond libc's
                    fixed-width integer types). The header declares the input quantizer, the invoke function and
                    the sizes: weights and requantization parameters are `const` (they stay in flash) and the
                    activations live in one static arena whose size the header states. Quantize the input with
                    `quantization.json`'s input parameters (code = round(x / scale) + zero_point, clamped to
                    0..255), or call the generated quantizer on float pixels, then call the invoke function; the
                    largest accumulator or logit is the class. Distillery's tests check generated code bit for bit
                    against its integer runtime with gcc and arm-none-eabi-gcc on emulated Cortex-M4F, M7 and M55
                    cores; the builds this run measured are in the report's device measurements.
                    """);
            case "tflite" -> md.append("""
                    A full-integer TFLite flatbuffer: uint8 input and output, int8 kernels inside. Load it with
                    LiteRT / TFLite (`Interpreter`), TFLite Micro (register CONV_2D, DEPTHWISE_CONV_2D,
                    FULLY_CONNECTED, MAX_POOL_2D, RESHAPE and QUANTIZE), or compile it for an accelerator
                    (`edgetpu_compiler` for Coral, `vela` for Arm Ethos-U, or the NNAPI delegate on phones). Feed the
                    input as uint8 codes of `quantization.json`'s input and read the output codes with its output
                    parameters: real = scale * (code - zero_point).
                    """);
            default -> md.append("""
                    An ONNX model for ONNX Runtime, TensorRT or OpenVINO. Float variants take float32 pixels in
                    [0, 1] shaped [1, C, H, W] and return float32 logits; integer variants are in QDQ form
                    (QuantizeLinear / DequantizeLinear around the int8 layers), which ONNX Runtime and TensorRT
                    fuse into their int8 kernels, with the same float32 input and output.
                    """);
        }
        md.append(String.format(Locale.ROOT, "%nArtifact: `%s` (%,d bytes).%n", d.path("artifact").asText(),
                d.path("artifact_bytes").asLong()));
        return md.toString();
    }
}
