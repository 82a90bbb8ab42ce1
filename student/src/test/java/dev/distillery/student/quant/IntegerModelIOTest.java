package dev.distillery.student.quant;

import dev.distillery.core.error.DataContractException;
import dev.distillery.core.model.ModelArtifact;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IntegerModelIOTest {
    @TempDir
    Path dir;

    private static IntegerModel converted(int weightBits) {
        ModelArtifact model = TestModels.randomModel(TestModels.separableCnn(), 4);
        return IntegerConverter.convert(model.withQuant(
                Calibration.calibrate(model, FashionMnist.trainImages(64), weightBits, 8)));
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
                long weightBytes = bits == 8 ? l.weights().length : (l.weights().length + 1) / 2;
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
}
