package dev.distillery.teacher.arch;

import dev.distillery.core.config.ConfigLoader;
import dev.distillery.core.config.TeacherConfig;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Teacher architectures from configuration, their parameters and MACs counted by hand. */
class TeacherArchitectureTest {
    private static final DatasetInfo FASHION = new DatasetInfo(1, 28, 28, 10, List.of(), Map.of(), "test");

    private static TeacherConfig teacher(String... sets) {
        return ConfigLoader.fromTree(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(),
                List.of(sets), "test").teacher();
    }

    @Test
    void theDefaultIsTodaysCnnLayerForLayer() {
        Architecture a = TeacherArchitecture.of(teacher(), FASHION);
        assertThat(a.name()).isEqualTo("teacher-cnn-32-64-d128");
        assertThat(a.layers()).containsExactly(new LayerSpec.Conv2d(32, 3, 1), new LayerSpec.Relu(),
                new LayerSpec.MaxPool(2), new LayerSpec.Conv2d(64, 3, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
                new LayerSpec.Flatten(), new LayerSpec.Dense(128), new LayerSpec.Relu(), new LayerSpec.Dense(10));
        // 3*3*1*32+32 + 3*3*32*64+64 + 3136*128+128 + 128*10+10
        assertThat(a.parameterCount()).isEqualTo(320 + 18_496 + 401_536 + 1_290);
        // 288*784 + 18432*196 + 3136*128 + 1280
        assertThat(a.macs()).isEqualTo(225_792 + 3_612_672 + 401_408 + 1_280);
    }

    @Test
    void hintonsMlpWithDropoutCountsItsDenseLayers() {
        Architecture a = TeacherArchitecture.of(teacher("teacher.architecture=mlp", "teacher.dropout=0.5"), FASHION);
        assertThat(a.layers()).containsExactly(new LayerSpec.Flatten(), new LayerSpec.Dense(1200), new LayerSpec.Relu(),
                new LayerSpec.Dropout(0.5), new LayerSpec.Dense(1200), new LayerSpec.Relu(), new LayerSpec.Dropout(0.5),
                new LayerSpec.Dense(10));
        assertThat(a.parameterCount()).isEqualTo(784 * 1200 + 1200 + 1200 * 1200 + 1200 + 1200 * 10 + 10);
        assertThat(a.macs()).isEqualTo(784L * 1200 + 1200 * 1200 + 1200 * 10);
    }

    @Test
    void aLayerListGetsItsClassifierAndEveryLayerTypeIsCounted() {
        Architecture a = TeacherArchitecture.of(teacher("teacher.architecture=layers", "teacher.layers=["
                + "{type: conv2d, filters: 8, kernel: 3, stride: 2}, {type: batch_norm, epsilon: 0.001}, {type: relu6},"
                + "{type: depthwise_conv2d, kernel: 3, stride: 1}, {type: relu}, {type: conv2d, filters: 16, kernel: 1,"
                + " stride: 1}, {type: avg_pool, size: 2}, {type: dropout, rate: 0.25}, {type: global_avg_pool}]"),
                FASHION);
        assertThat(a.layers().subList(9, a.layers().size())).containsExactly(new LayerSpec.Flatten(),
                new LayerSpec.Dense(10));
        // conv 3*3*1*8+8, batch norm 4*8 stored values, depthwise 3*3*8+8, pointwise 8*16+16, dense 16*10+10
        assertThat(a.parameterCount()).isEqualTo(80 + 32 + 80 + 144 + 170);
        // 28x28 -> 14x14 (stride 2): conv 72*196, bn 8*196, depthwise 72*196, pointwise 128*196,
        // avg pool 16*7*7*4 adds, global average 16*49, dense 160
        assertThat(a.macs()).isEqualTo(72 * 196 + 8 * 196 + 72 * 196 + 128 * 196 + 16 * 49 * 4 + 16 * 49 + 160);
    }

    @Test
    void mobileNetV1ScalesItsWidthsAndStopsStridingAtOnePixel() {
        Architecture a = TeacherArchitecture.of(teacher("teacher.architecture=mobilenet-v1",
                "teacher.width_multiplier=0.25"), FASHION);
        // stem 8 channels, blocks 16..256; 28 -> 14 -> 7 -> 4 -> 2 -> 1 (the last stride-2 block keeps 1x1)
        assertThat(a.layers().stream().filter(l -> l instanceof LayerSpec.DepthwiseConv2d).count()).isEqualTo(13);
        var last = a.layerInfos().get(a.layerInfos().size() - 3);
        assertThat(last.spec()).isEqualTo(new LayerSpec.GlobalAvgPool());
        assertThat(last.input().channels()).isEqualTo(256);
        assertThat(last.input().height()).isEqualTo(1);
    }

    @Test
    void resnet8HasMlperfTinysBlocksWithProjectionsWhereTheShapeChanges() {
        Architecture a = TeacherArchitecture.of(teacher("teacher.architecture=resnet8"), FASHION);
        assertThat(a.layers().stream().filter(l -> l instanceof LayerSpec.Add).toList()).containsExactly(
                new LayerSpec.Add(2, false), new LayerSpec.Add(9, true), new LayerSpec.Add(16, true));
        // stem 160 + bn 64; block 1: 2 x (2,320 + 64); block 2: 4,640 + 128 + 9,248 + 128 + projection 16*32+32;
        // block 3: 18,496 + 256 + 36,928 + 256 + projection 32*64+64; dense 64*10+10
        assertThat(a.parameterCount()).isEqualTo(224 + 4_768 + 14_688 + 58_048 + 650);
        // 28x28 stem and block 1, 14x14 block 2, 7x7 block 3; a batch norm and an add cost one MAC per value
        long stem = 9 * 16 * 784 + 16 * 784;
        long block1 = 2 * (9 * 16 * 16 * 784 + 16 * 784) + 16 * 784;
        long block2 = 9 * 16 * 32 * 196 + 9 * 32 * 32 * 196 + 2 * 32 * 196 + 16 * 32 * 196 + 32 * 196;
        long block3 = 9 * 32 * 64 * 49 + 9 * 64 * 64 * 49 + 2 * 64 * 49 + 32 * 64 * 49 + 64 * 49;
        assertThat(a.macs()).isEqualTo(stem + block1 + block2 + block3 + 64 * 49 + 640);
        assertThat(a.layerInfos().get(a.layerInfos().size() - 3).input().height()).isEqualTo(7);
    }

    @Test
    void aResidualAddOfDifferentShapesNeedsAProjection() {
        String body = "{type: conv2d, filters: 8, kernel: 3, stride: 1}, {type: relu}, "
                + "{type: conv2d, filters: 16, kernel: 3, stride: 2}, {type: relu}, ";
        assertThatThrownBy(() -> TeacherArchitecture.of(teacher("teacher.architecture=layers",
                "teacher.layers=[" + body + "{type: add, from: 1}]"), FASHION))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("layer 4 (add from 1) adds [8x28x28] to [16x14x14]; the shapes differ, so set "
                        + "projection: true");
        Architecture projected = TeacherArchitecture.of(teacher("teacher.architecture=layers",
                "teacher.layers=[" + body + "{type: add, from: 1, projection: true}]"), FASHION);
        // the projection is a stride-2 1x1 convolution from 8 to 16 channels: 8*16+16 values, 128*196 MACs
        assertThat(projected.layerInfos().get(4).params()).isEqualTo(144);
        assertThat(projected.layerInfos().get(4).macs()).isEqualTo(128 * 196 + 16 * 196);
        assertThatThrownBy(() -> TeacherArchitecture.of(teacher("teacher.architecture=layers",
                "teacher.layers=[" + body + "{type: add, from: 3}]"), FASHION))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("layer 4 (add from 3) must add the output of a layer before layer 3");
        assertThatThrownBy(() -> teacher("teacher.layers=[{type: add, projection: true}]"))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("from");
    }

    @Test
    void anImpossibleStackIsRefusedNamingTheLayer() {
        assertThatThrownBy(() -> TeacherArchitecture.of(teacher("teacher.architecture=layers",
                "teacher.layers=[{type: max_pool, size: 8}, {type: max_pool, size: 8}]"), FASHION))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("layer 1 (max_pool 8) is larger than its input");
        assertThatThrownBy(() -> TeacherArchitecture.of(teacher("teacher.architecture=layers",
                "teacher.layers=[{type: flatten}, {type: conv2d, filters: 4, kernel: 3, stride: 1}]"), FASHION))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("layer 1 (Conv2d[filters=4, kernel=3, stride=1]) needs a [C,H,W] input");
        assertThatThrownBy(() -> teacher("teacher.architecture=layers"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("teacher.layers lists none");
        assertThatThrownBy(() -> teacher("teacher.layers=[{type: dropout, rate: 1.5}]"))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("dropout needs a rate in [0, 1)");
    }
}
