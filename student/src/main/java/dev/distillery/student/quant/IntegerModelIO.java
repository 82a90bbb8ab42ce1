package dev.distillery.student.quant;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.model.Architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Reads and writes integer model files ({@code *.dint}), the artifact that ships to devices.
 *
 * <p>Layout (all multi-byte numbers little-endian; full description in {@code student/FORMAT.md}):
 * <pre>
 *   offset 0        8 bytes   magic "DSTLINT1" (ASCII)
 *   offset 8        uint32    H, length of the header in bytes
 *   offset 12       H bytes   header, UTF-8 JSON: format version (2; 1 is still read), architecture, bit
 *                             widths, input scale and zero point, metadata, and per weighted layer its index,
 *                             weight count, channels, weight bits, input and output scales, output zero point
 *                             and whether it is requantized
 *   offset 12+H     payload   per weighted layer, in header order:
 *                               weights     int8 codes, C order of the float layout; when the layer's
 *                                           weightBits &lt;= 4,
 *                                           packed two per byte, low nibble first (ceil(n/2) bytes)
 *                               bias        int32[channels]
 *                               weightScale float32[channels]
 *                               multiplier  int32[channels]   (requantized layers only)
 *                               shift       int32[channels]   (requantized layers only)
 *   last 4 bytes    uint32    CRC-32 of every byte before it
 * </pre>
 * The weights are stored at their bit width, so the file size is what a device must hold in flash.
 */
public final class IntegerModelIO {
    static final byte[] MAGIC = "DSTLINT1".getBytes(StandardCharsets.US_ASCII);
    /** Version 2 added per-layer weight widths and activation zero points; version 1 files are still read. */
    static final int VERSION = 2;
    static final int VERSION_1 = 1;
    // Unknown header keys are tolerated so that optional additions do not need a new format version.
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private IntegerModelIO() {
    }

    record Header(int version, Architecture architecture, int weightBits, int activationBits, double inputScale,
                  int inputZeroPoint, Map<String, String> metadata, List<LayerHeader> layers) {
    }

    /** {@code weightBits} 0 (absent, version 1) means the model's width; zero points absent in version 1 are 0. */
    record LayerHeader(int index, int weightCount, int channels, int weightBits, double inputScale,
                       double outputScale, int outputZeroPoint, boolean requantized) {
    }

    public static byte[] toBytes(IntegerModel model) {
        List<LayerHeader> layerHeaders = model.layers().stream().map(l -> new LayerHeader(l.index(),
                l.weights().length, l.channels(), l.weightBits(), l.inputScale(), l.outputScale(),
                l.outputZeroPoint(), l.requantized())).toList();
        byte[] header;
        try {
            header = JSON.writeValueAsBytes(new Header(VERSION, model.architecture(), model.weightBits(),
                    model.activationBits(), model.inputScale(), model.inputZeroPoint(), model.metadata(),
                    layerHeaders));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int size = MAGIC.length + 4 + header.length + 4;
        for (IntegerLayer l : model.layers()) {
            size += payloadBytes(l.weights().length, l.channels(), l.requantized(), l.weightBits());
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putInt(header.length).put(header);
        for (IntegerLayer l : model.layers()) {
            putWeights(out, l.weights(), l.weightBits());
            Arrays.stream(l.bias()).forEach(out::putInt);
            for (float s : l.weightScale()) {
                out.putFloat(s);
            }
            Arrays.stream(l.multiplier()).forEach(out::putInt);
            Arrays.stream(l.shift()).forEach(out::putInt);
        }
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    public static IntegerModel fromBytes(byte[] data, String source) {
        if (data.length < MAGIC.length + 8) {
            throw new DataContractException(source + " is not a Distillery integer model file: only " + data.length
                    + " bytes");
        }
        if (!Arrays.equals(Arrays.copyOf(data, MAGIC.length), MAGIC)) {
            throw new DataContractException(source + " is not a Distillery integer model file: expected magic DSTLINT1, found "
                    + new String(data, 0, MAGIC.length, StandardCharsets.ISO_8859_1).replaceAll("\\p{Cntrl}", "?"));
        }
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int stored = in.getInt(data.length - 4);
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length - 4);
        if ((int) crc.getValue() != stored) {
            throw new DataContractException(source + " is corrupt or truncated: CRC-32 " + hex((int) crc.getValue())
                    + " does not match the stored " + hex(stored) + " (" + data.length + " bytes)");
        }
        try {
            in.position(MAGIC.length);
            int headerLength = in.getInt();
            if (headerLength <= 0 || headerLength > data.length - MAGIC.length - 8) {
                throw new DataContractException(source + " has a corrupt header length " + headerLength);
            }
            byte[] headerBytes = new byte[headerLength];
            in.get(headerBytes);
            Header header = JSON.readValue(headerBytes, Header.class);
            if (header.version() != VERSION && header.version() != VERSION_1) {
                throw new DataContractException(source + " has integer model format version " + header.version()
                        + ", this reader understands versions " + VERSION_1 + " and " + VERSION);
            }
            List<IntegerLayer> layers = new ArrayList<>();
            for (LayerHeader lh : header.layers()) {
                int bits = header.version() == VERSION_1 || lh.weightBits() == 0 ? header.weightBits() : lh.weightBits();
                if (bits < 2 || bits > 8) {
                    throw new DataContractException(source + " layer " + lh.index() + " declares " + bits
                            + "-bit weights; expected 2..8");
                }
                int qmax = (1 << (bits - 1)) - 1;
                byte[] weights = getWeights(in, lh.weightCount(), bits);
                for (byte w : weights) {
                    if (w < -qmax || w > qmax) {
                        throw new DataContractException(source + " layer " + lh.index() + " holds weight code " + w
                                + " outside [-" + qmax + ", " + qmax + "]");
                    }
                }
                int[] bias = ints(in, lh.channels());
                float[] scales = new float[lh.channels()];
                for (int c = 0; c < scales.length; c++) {
                    scales[c] = in.getFloat();
                }
                int[] multiplier = ints(in, lh.requantized() ? lh.channels() : 0);
                int[] shift = ints(in, multiplier.length);
                int zp = header.version() == VERSION_1 ? 0 : lh.outputZeroPoint();
                layers.add(new IntegerLayer(lh.index(), bits, weights, bias, scales, lh.inputScale(),
                        lh.outputScale(), zp, multiplier, shift));
            }
            if (in.position() != data.length - 4) {
                throw new DataContractException(source + " has " + (data.length - 4 - in.position())
                        + " unexpected bytes after the last layer");
            }
            return new IntegerModel(header.architecture(), header.weightBits(), header.activationBits(),
                    header.inputScale(), header.version() == VERSION_1 ? 0 : header.inputZeroPoint(), layers,
                    header.metadata() == null ? Map.of() : header.metadata());
        } catch (IOException | IllegalArgumentException | BufferUnderflowException | NullPointerException
                 | IndexOutOfBoundsException e) {
            String why = e instanceof BufferUnderflowException ? "the payload is shorter than its header declares"
                    : e.getMessage();
            throw new DataContractException(source + " is not a readable Distillery integer model file: " + why, e);
        }
    }

    /** Writes through a temporary file and a rename, so a crash never leaves a half-written model behind. */
    public static void write(IntegerModel model, Path file) {
        dev.distillery.core.io.AtomicFiles.write(file, toBytes(model));
    }

    public static IntegerModel read(Path file) {
        try {
            return fromBytes(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new DataContractException("integer model file " + file + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int payloadBytes(int weights, int channels, boolean requantized, int weightBits) {
        int weightBytes = weightBits <= 4 ? (weights + 1) / 2 : weights;
        return weightBytes + channels * (requantized ? 16 : 8);
    }

    private static void putWeights(ByteBuffer out, byte[] codes, int bits) {
        if (bits > 4) {
            out.put(codes);
            return;
        }
        for (int i = 0; i < codes.length; i += 2) {
            int lo = codes[i] & 0x0F;
            int hi = i + 1 < codes.length ? codes[i + 1] & 0x0F : 0;
            out.put((byte) (lo | hi << 4));
        }
    }

    private static byte[] getWeights(ByteBuffer in, int count, int bits) {
        need(in, bits <= 4 ? (count + 1L) / 2 : count);
        byte[] codes = new byte[count];
        if (bits > 4) {
            in.get(codes);
            return codes;
        }
        for (int i = 0; i < count; i += 2) {
            byte packed = in.get();
            // Shift the nibble to the top and back down arithmetically to sign-extend the 4-bit value.
            codes[i] = (byte) ((byte) (packed << 4) >> 4);
            if (i + 1 < count) {
                codes[i + 1] = (byte) (packed >> 4);
            }
        }
        return codes;
    }

    private static int[] ints(ByteBuffer in, int n) {
        need(in, 4L * n);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = in.getInt();
        }
        return out;
    }

    /** Checks sizes from the header before allocating, so a corrupt count cannot exhaust memory. */
    private static void need(ByteBuffer in, long bytes) {
        if (bytes < 0 || bytes > in.remaining()) {
            throw new BufferUnderflowException();
        }
    }

    private static String hex(int v) {
        return String.format("%08x", v);
    }
}
