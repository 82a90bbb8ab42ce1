package dev.distillery.core.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distillery.core.error.DataContractException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the float model file ({@code *.dmodel}): the magic {@code DSTLMDL1}, a big-endian int
 * length, a UTF-8 JSON header (kind, architecture, metadata, quantization, parameter names and sizes),
 * then every parameter as little-endian float32 in header order.
 */
public final class ModelIO {
    private static final byte[] MAGIC = "DSTLMDL1".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private ModelIO() {
    }

    record Header(String kind, Architecture architecture, Map<String, String> metadata, QuantSpec quant,
                  List<String> names, List<Integer> sizes) {
    }

    public static byte[] toBytes(ModelArtifact model) {
        try {
            List<String> names = new ArrayList<>(model.params().keySet());
            List<Integer> sizes = names.stream().map(n -> model.params().get(n).length).toList();
            byte[] header = JSON.writeValueAsBytes(new Header(model.kind(), model.architecture(), model.metadata(),
                    model.quant(), names, sizes));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeInt(header.length);
            out.write(header);
            for (String name : names) {
                float[] p = model.params().get(name);
                ByteBuffer buf = ByteBuffer.allocate(p.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(p);
                out.write(buf.array());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ModelArtifact fromBytes(byte[] data, String source) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte[] magic = new byte[MAGIC.length];
            if (data.length < MAGIC.length + 4) {
                throw new DataContractException(source + " is not a Distillery model file: only " + data.length
                        + " bytes");
            }
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new DataContractException(source + " is not a Distillery model file: expected magic DSTLMDL1, found "
                        + new String(magic, StandardCharsets.ISO_8859_1).replaceAll("\\p{Cntrl}", "?"));
            }
            int len = in.readInt();
            if (len <= 0 || len > data.length) {
                throw new DataContractException(source + " has a corrupt header length " + len);
            }
            byte[] headerBytes = new byte[len];
            in.readFully(headerBytes);
            Header header = JSON.readValue(headerBytes, Header.class);
            Map<String, float[]> params = new LinkedHashMap<>();
            for (int i = 0; i < header.names().size(); i++) {
                int n = header.sizes().get(i);
                byte[] raw = new byte[n * 4];
                in.readFully(raw);
                float[] p = new float[n];
                ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(p);
                params.put(header.names().get(i), p);
            }
            return new ModelArtifact(header.kind(), header.architecture(), params, header.metadata(), header.quant());
        } catch (IOException | IllegalArgumentException e) {
            throw new DataContractException(source + " is not a readable Distillery model file: " + e.getMessage(), e);
        }
    }

    /** Writes atomically: a reader sees the old file or the complete new one, never a partial one. */
    public static void write(ModelArtifact model, Path file) {
        dev.distillery.core.io.AtomicFiles.write(file, toBytes(model));
    }

    public static ModelArtifact read(Path file) {
        try {
            return fromBytes(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new DataContractException("model file " + file + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a model and checks its kind, so that a student file is never used where a teacher is expected. */
    public static ModelArtifact read(Path file, String expectedKind) {
        ModelArtifact model = read(file);
        if (!model.kind().equals(expectedKind)) {
            throw new DataContractException(file + " holds a " + model.kind() + " model, expected a " + expectedKind
                    + " model");
        }
        return model;
    }
}
