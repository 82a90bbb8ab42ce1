package dev.distillery.jobs.stage;

import dev.distillery.core.error.DataContractException;
import dev.distillery.core.error.DistilleryException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.evaluation.profile.Precision;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How evaluate names the integer variant and sizes variant files, without running the stage. */
class EvaluateStageTest {
    private static final Architecture DENSE = new Architecture("one-dense", 1, 2, 2, 2,
            List.of(new LayerSpec.Flatten(), new LayerSpec.Dense(2)));

    @TempDir
    Path tmp;

    @Test
    void theIntegerVariantsPrecisionComesFromTheModelsWeightWidth() {
        Path file = tmp.resolve("student-int8.dint");

        assertThat(EvaluateStage.integerPrecision(model(8), file)).isEqualTo(Precision.INT8);
        assertThat(EvaluateStage.integerPrecision(model(4), file)).isEqualTo(Precision.INT4);
        assertThatThrownBy(() -> EvaluateStage.integerPrecision(model(6), file))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining(file + " has 6-bit weights");
    }

    @Test
    void aVariantFileThatIsMissingIsABadInputNamingTheFile() throws Exception {
        Path present = Files.write(tmp.resolve("student-kd.dmodel"), new byte[1234]);
        Path missing = tmp.resolve("student-int8.dint");

        assertThat(EvaluateStage.sizeOf(present)).isEqualTo(1234);
        assertThatThrownBy(() -> EvaluateStage.sizeOf(missing))
                .isInstanceOf(DataContractException.class)
                .hasMessageStartingWith("model file " + missing + " is missing")
                .satisfies(e -> assertThat(((DistilleryException) e).exitCode())
                        .isEqualTo(DistilleryException.EXIT_BAD_INPUT));
    }

    private static IntegerModel model(int weightBits) {
        IntegerLayer dense = new IntegerLayer(1, new byte[8], new int[2], new float[]{0.5f, 0.25f}, 0.1, 0,
                new int[0], new int[0]);
        return new IntegerModel(DENSE, weightBits, 8, 0.1, List.of(dense), Map.of());
    }
}
