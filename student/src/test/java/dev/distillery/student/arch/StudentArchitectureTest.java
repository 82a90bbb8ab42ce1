package dev.distillery.student.arch;

import dev.distillery.core.config.PipelineConfig;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.testing.Digits;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StudentArchitectureTest {
    private static PipelineConfig config(String... sets) {
        return Digits.config(Path.of("/nonexistent"), sets);
    }

    private static DatasetInfo image(int size) {
        return new DatasetInfo(1, size, size, 10, List.of(), java.util.Map.of(), "test");
    }

    @Test
    void mlpCountsMatchAHandCount() {
        Architecture a = StudentArchitecture.of(config("student.type=mlp", "student.hidden=[20, 12]",
                "student.width_multiplier=0.5").student(), image(8));
        // width 0.5: hidden 10 and 6. 8x8 input = 64 features.
        // params: 64*10+10 = 650; 10*6+6 = 66; 6*10+10 = 70 -> 786
        // MACs:   64*10 = 640;     10*6 = 60;   6*10 = 60    -> 760
        assertThat(a.name()).isEqualTo("student-mlp-10-6");
        assertThat(a.parameterCount()).isEqualTo(786);
        assertThat(a.macs()).isEqualTo(760);
    }

    @Test
    void depthwiseSeparableCountsWithWidthAndRepeatsMatchAHandCount() {
        Architecture a = StudentArchitecture.of(config("student.type=ds-cnn", "student.stem_filters=4",
                "student.blocks=[8, 16]", "student.repeats=[2, 1]", "student.width_multiplier=2.0").student(), image(16));
        // width 2: stem 8, blocks 16 (twice) and 32. Input 1x16x16.
        // stem conv 3x3 1->8 on 16x16:   params 9*1*8+8 = 80,   MACs 72*256 = 18432; pool -> 8x8
        // block 1a dw 3x3 on 8 ch, 8x8:  params 9*8+8 = 80,     MACs 72*64 = 4608
        //          pw 1x1 8->16:          params 8*16+16 = 144,  MACs 128*64 = 8192
        // block 1b dw on 16 ch:           params 9*16+16 = 160,  MACs 144*64 = 9216
        //          pw 16->16:             params 256+16 = 272,   MACs 256*64 = 16384; pool -> 4x4 (8 > 7 pools)
        // block 2  dw on 16 ch, 4x4:      params 160,            MACs 144*16 = 2304
        //          pw 16->32:             params 512+32 = 544,   MACs 512*16 = 8192 (4x4: no pool)
        // dense 32*4*4 = 512 -> 10:       params 5120+10 = 5130, MACs 5120
        assertThat(a.name()).isEqualTo("student-ds-cnn-8-16x2-32");
        assertThat(a.layers()).filteredOn(l -> l instanceof LayerSpec.DepthwiseConv2d).hasSize(3);
        assertThat(a.parameterCount()).isEqualTo(80 + 80 + 144 + 160 + 272 + 160 + 544 + 5130);
        assertThat(a.macs()).isEqualTo(18_432L + 4_608 + 8_192 + 9_216 + 16_384 + 2_304 + 8_192 + 5_120);
    }

    @Test
    void batchNormAddsFourValuesPerChannelAndOneMacPerValueBeforeEachRelu() {
        Architecture mlp = StudentArchitecture.of(config("student.type=mlp", "student.hidden=[20, 12]",
                "student.width_multiplier=0.5", "student.batch_norm=true").student(), image(8));
        // the 786-parameter, 760-MAC mlp above plus batch norms of 10 and 6 units
        assertThat(mlp.name()).isEqualTo("student-mlp-10-6-bn");
        assertThat(mlp.parameterCount()).isEqualTo(786 + 4 * 10 + 4 * 6);
        assertThat(mlp.macs()).isEqualTo(760 + 10 + 6);

        Architecture cnn = StudentArchitecture.of(config("student.type=ds-cnn", "student.stem_filters=4",
                "student.blocks=[8, 16]", "student.repeats=[2, 1]", "student.width_multiplier=2.0",
                "student.batch_norm=true").student(), image(16));
        // the network above with a batch norm after each of its 7 convolutions:
        // stem 8 ch on 16x16; block 1a dw 8 ch, pw 16 ch on 8x8; block 1b dw 16, pw 16 on 8x8; block 2 dw 16, pw 32 on 4x4
        assertThat(cnn.name()).isEqualTo("student-ds-cnn-8-16x2-32-bn");
        assertThat(cnn.layers()).filteredOn(l -> l instanceof LayerSpec.BatchNorm).hasSize(7);
        for (int i = 0; i < cnn.layers().size(); i++) {
            if (cnn.layers().get(i) instanceof LayerSpec.BatchNorm) {
                assertThat(cnn.layers().get(i - 1).hasWeights()).isTrue();
                assertThat(cnn.layers().get(i + 1)).isInstanceOf(LayerSpec.Relu.class);
            }
        }
        assertThat(cnn.parameterCount()).isEqualTo(80 + 80 + 144 + 160 + 272 + 160 + 544 + 5130
                + 4 * (8 + 8 + 16 + 16 + 16 + 16 + 32));
        assertThat(cnn.macs()).isEqualTo(18_432L + 4_608 + 8_192 + 9_216 + 16_384 + 2_304 + 8_192 + 5_120
                + 8 * 256 + 8 * 64 + 16 * 64 + 16 * 64 + 16 * 64 + 16 * 16 + 32 * 16);
        // the size checked against the teacher is the folded one that later stages deploy
        assertThat(dev.distillery.core.model.BatchNormFolding.foldArchitecture(cnn).parameterCount())
                .isEqualTo(80 + 80 + 144 + 160 + 272 + 160 + 544 + 5130);
    }

    @Test
    void batchNormIsOffByDefaultAndMustBeABoolean() {
        assertThat(config().student().batchNorm()).isFalse();
        assertThatThrownBy(() -> config("student.batch_norm=maybe"))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("student.batch_norm");
    }

    @Test
    void rejectsRepeatsThatDoNotMatchTheBlocks() {
        assertThatThrownBy(() -> config("student.blocks=[8, 16]", "student.repeats=[2]"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("student.repeats must give one count per entry of student.blocks (2), has 1");
        assertThatThrownBy(() -> config("student.repeats=[0, 1]"))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("student.repeats must list positive");
    }
    @Test
    void aLayerListGetsItsClassifierAndIsCountedByHand() {
        Architecture a = StudentArchitecture.of(config("student.type=layers", "student.layers=["
                + "{type: conv2d, filters: 4, kernel: 3, stride: 2}, {type: batch_norm, epsilon: 0.001}, {type: relu},"
                + "{type: depthwise_conv2d, kernel: 3, stride: 1}, {type: relu}, {type: max_pool, size: 2},"
                + "{type: conv2d, filters: 8, kernel: 1, stride: 1}, {type: relu}]").student(), image(8));
        assertThat(a.layers().subList(8, a.layers().size())).containsExactly(new LayerSpec.Flatten(),
                new LayerSpec.Dense(10));
        // 8x8 -> 4x4 (stride 2) -> 2x2 (pool): conv 9*4+4, batch norm 4*4, depthwise 9*4+4, pointwise 4*8+8,
        // dense 32*10+10
        assertThat(a.parameterCount()).isEqualTo(40 + 16 + 40 + 40 + 330);
        assertThat(a.macs()).isEqualTo(36 * 16 + 4 * 16 + 36 * 16 + 32 * 4 + 320);
    }

    @Test
    void aStudentLayerThatALaterStageCannotTakeIsRefusedNamingTheLayerAndTheStage() {
        assertThatThrownBy(() -> StudentArchitecture.of(config("student.type=layers", "student.layers=["
                + "{type: conv2d, filters: 4, kernel: 3, stride: 1}, {type: relu}, {type: global_avg_pool}]")
                .student(), image(8)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("student.layers[2] (GlobalAvgPool[]) cannot be a student layer: qat and export "
                        + "(the integer runtime, TFLite and C kernels have no kernel for it)");
        assertThatThrownBy(() -> StudentArchitecture.of(config("student.type=layers", "student.layers=["
                + "{type: conv2d, filters: 4, kernel: 3, stride: 1}, {type: relu}, {type: add, from: -1}]")
                .student(), image(8)))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("student.layers[2] (Add[from=-1, "
                        + "projection=false]) cannot be a student layer: qat and export (the integer runtime, TFLite "
                        + "and C kernels have no residual add)");
        // a hidden layer without the relu integer conversion fuses into its requantization
        assertThatThrownBy(() -> StudentArchitecture.of(config("student.type=layers", "student.layers=["
                + "{type: flatten}, {type: dense, units: 16}]").student(), image(8)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("student.layers cannot be converted to integers by qat: layer 1 (dense 16) is "
                        + "followed by layer 2 (dense 10) instead of a relu");
        assertThatThrownBy(() -> StudentArchitecture.of(config("student.type=layers", "student.layers=["
                + "{type: max_pool, size: 16}]").student(), image(8)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("layer 0 (max_pool 16) is larger than its input");
        assertThatThrownBy(() -> config("student.type=layers")).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("student.layers lists none");
    }
    @Test
    void integerConversionRefusesTeacherOnlyLayersNamingThem() {
        var spec = new dev.distillery.core.model.QuantSpec(8, 8, java.util.Map.of("input", 1.0));
        Architecture pooled = new Architecture("gap", 1, 8, 8, 10, List.of(new LayerSpec.Conv2d(4, 3, 1),
                new LayerSpec.Relu(), new LayerSpec.GlobalAvgPool(), new LayerSpec.Flatten(), new LayerSpec.Dense(10)));
        assertThatThrownBy(() -> dev.distillery.student.quant.IntegerConverter.checkSupported(pooled.layerInfos(), spec))
                .isInstanceOf(dev.distillery.core.error.DataContractException.class)
                .hasMessageContaining("layer 2 (global_avg_pool) has no integer kernel");
        Architecture padded = new Architecture("pad", 1, 8, 8, 10, List.of(new LayerSpec.Conv2d(4, 3, 2, 1),
                new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Dense(10)));
        assertThatThrownBy(() -> dev.distillery.student.quant.IntegerConverter.checkSupported(padded.layerInfos(), spec))
                .isInstanceOf(dev.distillery.core.error.DataContractException.class)
                .hasMessageContaining("layer 0 (conv2d 4 filters 3x3/2 pad 1) pads explicitly");
    }
}
