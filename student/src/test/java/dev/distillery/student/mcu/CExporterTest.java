package dev.distillery.student.mcu;

import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.TensorLifetimes;
import dev.distillery.student.quant.Calibration;
import dev.distillery.student.quant.FixedPoint;
import dev.distillery.student.quant.IntegerConverter;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CExporterTest {
    @TempDir
    Path tmp;

    private static IntegerModel separable() {
        ModelArtifact model = TestModels.randomModel(TestModels.separableCnn(), 2);
        return IntegerConverter.convert(model.withQuant(Calibration.calibrate(model, FashionMnist.trainImages(64), 8,
                8)));
    }

    /** 1x2x2 input, a 3x3 SAME convolution with the given bias, requantized by 0.5, and a dense head of 2 units. */
    private static IntegerModel handModel(int convBias, int shift) {
        Architecture arch = new Architecture("hand", 1, 2, 2, 2, List.of(new LayerSpec.Conv2d(1, 3, 1),
                new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Dense(2)));
        byte[] ones = new byte[9];
        Arrays.fill(ones, (byte) 1);
        IntegerLayer conv = new IntegerLayer(0, ones, new int[]{convBias}, new float[]{1f}, 1.0 / 255, 0.1,
                new int[]{FixedPoint.of(0.5).multiplier()}, new int[]{shift});
        IntegerLayer out = new IntegerLayer(3, new byte[]{1, -1, 1, 0, 1, 0, 1, 2}, new int[]{0, -100},
                new float[]{0.5f, 0.25f}, 0.1, 0, new int[0], new int[0]);
        return new IntegerModel(arch, 8, 8, 1.0 / 255, List.of(conv, out), Map.of());
    }

    @Test
    void arenaIsTheTensorLifetimePeakAndTheTwoLiveBuffersOfEveryStepNeverOverlap() {
        IntegerModel model = separable();
        TensorLifetimes lifetimes = TensorLifetimes.of(model.architecture().layerInfos());
        // the pool's step holds the 8x28x28 conv output and the 8x14x14 pooled map: 7,840 codes
        assertThat(lifetimes.peak().elements()).isEqualTo(6272 + 1568);

        CSource source = CExporter.generate(model, "sep");

        assertThat(source.arenaBytes()).isEqualTo(lifetimes.peak().elements());
        assertThat(source.header()).contains("#define SEP_ARENA_BYTES 7840 ");
        assertThat(source.source()).contains("static uint8_t sep_arena[SEP_ARENA_BYTES];");
        CPlan plan = CPlan.of(model);
        List<TensorLifetimes.Buffer> buffers = lifetimes.buffers();
        for (CPlan.Step step : plan.steps()) {
            int in = step.input();
            long inEnd = plan.offset(in) + buffers.get(in).elements();
            long outStart = plan.offset(in + 1);
            long outEnd = outStart + buffers.get(in + 1).elements();
            boolean last = in + 1 == buffers.size() - 1;
            assertThat(inEnd).as("step %s input end", step.info().index()).isLessThanOrEqualTo(plan.arenaBytes());
            if (!last) { // the final layer writes the caller's int32 accumulators, not the arena
                assertThat(outEnd).isLessThanOrEqualTo(plan.arenaBytes());
                assertThat(outStart >= inEnd || outEnd <= plan.offset(in))
                        .as("step %d reads [%d, %d) and writes [%d, %d)", step.info().index(), plan.offset(in), inEnd,
                                outStart, outEnd).isTrue();
            }
        }
        // the generated invoke passes exactly those offsets: conv at the top end, pool back at 0, ...
        assertThat(source.source()).contains("sep_convolve(&sep_l0, 0, codes, arena + 1568, NULL);")
                .contains("sep_max_pool(&sep_l1, arena + 1568, arena + 0);")
                .contains("sep_dense_layer(&sep_l11, arena + 0, NULL, acc);");
    }

    @Test
    void writesScalesAsHexadecimalConstantsThatReadBackToTheRuntimesExactValues() {
        IntegerModel model = separable();
        IntegerLayer last = model.layers().get(model.layers().size() - 1);

        String source = CExporter.generate(model, "sep").source();

        Matcher m = Pattern.compile("sep_logit_scale\\[10] = \\{\\s*([^}]*)}").matcher(source);
        assertThat(m.find()).isTrue();
        double[] scales = Stream.of(m.group(1).split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
        for (int c = 0; c < 10; c++) {
            assertThat(Double.doubleToRawLongBits(scales[c]))
                    .isEqualTo(Double.doubleToRawLongBits(last.inputScale() * last.weightScale()[c]));
        }
        String header = CExporter.generate(model, "sep").header();
        Matcher s = Pattern.compile("#define SEP_INPUT_SCALE (\\S+)f ").matcher(header);
        assertThat(s.find()).isTrue();
        assertThat(Float.parseFloat(s.group(1))).isEqualTo((float) model.inputScale());
    }

    @Test
    void sharesOneMultiplierWhenChannelsAgreeAndRoundsShiftsBeyond62ToZero() {
        IntegerLayer tiny = new IntegerLayer(0, new byte[9], new int[2], new float[]{1f, 1f}, 1, 1,
                new int[]{1 << 30, 1 << 30}, new int[]{-40, -40});
        IntegerLayer mixed = new IntegerLayer(0, new byte[9], new int[2], new float[]{1f, 1f}, 1, 1,
                new int[]{1 << 30, 1 << 30}, new int[]{-3, 0});

        // 31 - (-40) = 71 >= 63: FixedPoint.apply returns 0 for every accumulator, as multiplier 0 does
        assertThat(CSourceWriter.requantization(tiny)).isDeepEqualTo(new int[][]{{0}, {1}});
        assertThat(CSourceWriter.requantization(mixed)).isDeepEqualTo(new int[][]{{1 << 30, 1 << 30}, {34, 31}});
        assertThat(FixedPoint.apply(Integer.MAX_VALUE, 1 << 30, -40)).isZero();
    }

    @Test
    void refusesAMaxPoolAfterTheFinalLayerNamingItAndWritesNothing() {
        Architecture arch = new Architecture("pool-head", 1, 2, 2, 10, List.of(new LayerSpec.Conv2d(10, 3, 1),
                new LayerSpec.MaxPool(2), new LayerSpec.Flatten()));
        IntegerLayer conv = new IntegerLayer(0, new byte[90], new int[10], filled(10, 1f), 1.0 / 255, 0, new int[0],
                new int[0]);
        IntegerModel model = new IntegerModel(arch, 8, 8, 1.0 / 255, List.of(conv), Map.of());
        Path target = tmp.resolve("c").resolve("pool_head");

        assertThatThrownBy(() -> CExporter.export(model, "pool_head", target))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("layer 1 (max_pool 2) follows the final weighted layer 0");
        assertThat(target).doesNotExist();
        assertThat(target.getParent()).doesNotExist();
    }

    @Test
    void refusesAnAccumulatorThatCouldLeaveInt32NamingTheLayerAndChannel() {
        IntegerModel model = handModel(Integer.MAX_VALUE - 1000, FixedPoint.of(0.5).shift());

        // |bias| + 9 weights of 1 * (255 + 0) = 2,147,483,647 - 1,000 + 2,295 > 2^31 - 1
        assertThatThrownBy(() -> CExporter.generate(model, "hand"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("layer 0 (conv2d 1 filters 3x3/1) channel 0 can accumulate up to 2147484942");
        assertThat(CExporter.generate(handModel(Integer.MAX_VALUE - 3000, 0), "hand").source())
                .contains("2147480647");
    }

    @Test
    void refusesAMultiplierOfTwoOrMore() {
        assertThatThrownBy(() -> CExporter.generate(handModel(0, 31), "hand"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("layer 0 (conv2d 1 filters 3x3/1) channel 0 has requantization shift 31");
    }

    @Test
    void refusesAPrefixThatIsNotAPlainCIdentifier() {
        IntegerModel model = handModel(0, 0);

        for (String bad : List.of("student-int8", "8bit", "_reserved", "int", "")) {
            assertThatThrownBy(() -> CExporter.generate(model, bad))
                    .as(bad).isInstanceOf(InvalidConfigException.class).hasMessageContaining("C prefix \"" + bad + "\"");
        }
    }

    @Test
    void exportReplacesAnEarlierExportAndLeavesNoStagingFolders() throws Exception {
        Path target = tmp.resolve("student_c");
        Files.createDirectories(target);
        Files.writeString(target.resolve("stale.c"), "int stale;");

        CExport export = CExporter.export(handModel(5, 0), "hand", target);

        assertThat(export.header()).exists().hasFileName("hand.h");
        assertThat(export.source()).exists().hasFileName("hand.c");
        try (Stream<Path> files = Files.list(target); Stream<Path> siblings = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("hand.h", "hand.c");
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("student_c");
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }
}
