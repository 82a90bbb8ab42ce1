package dev.distillery.student.quant;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.core.model.ModelIO;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IntegerModelIOTest {
    @TempDir
    Path dir;

    /** The separable CNN at {@code weightBits} for conv and dense layers; its depthwise layer stays at 8 bits. */
    private static IntegerModel converted(int weightBits) {
        ModelArtifact model = TestModels.randomModel(TestModels.separableCnn(), 4);
        QuantSpec settings = new QuantSpec(weightBits, 8, Map.of(), Map.of(), false, 8);
        return IntegerConverter.convert(model.withQuant(Calibration.calibrate(model, FashionMnist.trainImages(64),
                settings, CalibrationMethod.MINMAX, 100)));
    }

    @Test
    void roundTripsEveryFieldExactly() {
        IntegerModel model = converted(8);
        Path file = dir.resolve("student.dint");

        IntegerModelIO.write(model, file);
        IntegerModel read = IntegerModelIO.read(file);

        assertThat(read).isEqualTo(model);
        assertThat(IntegerModelIO.toBytes(read)).isEqualTo(IntegerModelIO.toBytes(model));
    }

    @Test
    void roundTripsFourBitWeightsPackedTwoPerByte() {
        IntegerModel model = converted(4);
        Path file = dir.resolve("student4.dint");

        IntegerModelIO.write(model, file);

        assertThat(IntegerModelIO.read(file)).isEqualTo(model);
    }

    @Test
    void fileSizeIsHeaderPlusWeightsAtTheirBitWidthPlusPerChannelParameters() throws IOException {
        for (int bits : new int[]{8, 4}) {
            IntegerModel model = converted(bits);
            Path file = dir.resolve("size" + bits + ".dint");
            IntegerModelIO.write(model, file);
            byte[] bytes = Files.readAllBytes(file);
            int header = ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();

            long expected = 8 + 4 + header + 4;
            for (IntegerLayer l : model.layers()) {
                long weightBytes = l.weightBits() == 8 ? l.weights().length : (l.weights().length + 1) / 2;
                // int32 bias + float32 scale, and int32 multiplier + int32 shift when requantized
                expected += weightBytes + 8L * l.channels() + (l.requantized() ? 8L * l.channels() : 0);
            }
            assertThat(bytes.length).as("%d-bit file", bits).isEqualTo(expected);
        }
    }

    @Test
    void integerFileIsAboutAQuarterOfTheFloatFileForAWeightHeavyModel() {
        ModelArtifact model = TestModels.randomModel(TestModels.tinyCnn(), 4);
        IntegerModel integer = IntegerConverter.convert(model.withQuant(
                Calibration.calibrate(model, FashionMnist.trainImages(16), 8, 8)));

        int floatBytes = ModelIO.toBytes(model).length;
        int intBytes = IntegerModelIO.toBytes(integer).length;

        // 15,752 weights go from 4 bytes to 1; biases, scales and the JSON headers are small next to them.
        assertThat((double) intBytes / floatBytes).isBetween(0.25, 0.32);
    }

    @Test
    void flippedPayloadByteIsReportedAsCorruptNamingTheFile() throws IOException {
        Path file = dir.resolve("flipped.dint");
        IntegerModelIO.write(converted(8), file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 40] ^= 0x10;
        Files.write(file, bytes);

        assertThatThrownBy(() -> IntegerModelIO.read(file))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("CRC-32");
    }

    @Test
    void truncatedFileIsRejectedNamingTheFile() throws IOException {
        Path file = dir.resolve("truncated.dint");
        IntegerModelIO.write(converted(8), file);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> IntegerModelIO.read(file))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void fileWithAnotherMagicIsRejectedNamingTheFileAndTheMagicFound() throws IOException {
        Path file = dir.resolve("float.dmodel");
        ModelIO.write(TestModels.randomModel(TestModels.tinyCnn(), 4), file);

        assertThatThrownBy(() -> IntegerModelIO.read(file))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("expected magic DSTLINT1, found DSTLMDL1");
    }

    @Test
    void missingFileIsADataContractError() {
        Path file = dir.resolve("absent.dint");

        assertThatThrownBy(() -> IntegerModelIO.read(file))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void readsVersionOneFilesWhoseLayersShareTheModelWidthAndZeroPointsAreZero() throws IOException {
        IntegerModel model = converted(8);
        ObjectNode header = header(IntegerModelIO.toBytes(model));
        header.put("version", 1);
        header.remove("inputZeroPoint");
        header.withArray("layers").forEach(l -> ((ObjectNode) l).remove(List.of("weightBits", "outputZeroPoint")));
        Path file = dir.resolve("v1.dint");
        Files.write(file, withHeader(IntegerModelIO.toBytes(model), header));

        IntegerModel read = IntegerModelIO.read(file);

        assertThat(read).isEqualTo(model);
        assertThat(read.layers()).allSatisfy(l -> assertThat(l.weightBits()).isEqualTo(8));
    }

    @Test
    void rejectsAnUnknownFormatVersionNamingTheVersionsItReads() throws IOException {
        IntegerModel model = converted(8);
        ObjectNode header = header(IntegerModelIO.toBytes(model));
        header.put("version", 3);
        Path file = dir.resolve("v3.dint");
        Files.write(file, withHeader(IntegerModelIO.toBytes(model), header));

        assertThatThrownBy(() -> IntegerModelIO.read(file))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("version 3")
                .hasMessageContaining("versions 1 and 2");
    }

    @Test
    void fourBitModelsKeepTheirDepthwiseLayerAtEightBitsInTheFile() {
        IntegerModel model = converted(4);

        IntegerModel read = IntegerModelIO.fromBytes(IntegerModelIO.toBytes(model), "mem");

        // separable-cnn: conv (0), depthwise (3), pointwise conv (5), dense (9), dense (11)
        assertThat(read.layers()).extracting(IntegerLayer::weightBits).containsExactly(4, 8, 4, 4, 4);
        for (byte w : read.layer(0).weights()) {
            assertThat((int) w).isBetween(-7, 7);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode header(byte[] file) throws IOException {
        int length = ByteBuffer.wrap(file, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        return (ObjectNode) JSON.readTree(Arrays.copyOfRange(file, 12, 12 + length));
    }

    /** The file with its header replaced and the CRC recomputed, as another writer version would produce it. */
    private static byte[] withHeader(byte[] file, ObjectNode header) throws IOException {
        int oldLength = ByteBuffer.wrap(file, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        byte[] json = JSON.writeValueAsBytes(header);
        byte[] payload = Arrays.copyOfRange(file, 12 + oldLength, file.length - 4);
        ByteBuffer out = ByteBuffer.allocate(12 + json.length + payload.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        out.put(file, 0, 8).putInt(json.length).put(json).put(payload);
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }
}
