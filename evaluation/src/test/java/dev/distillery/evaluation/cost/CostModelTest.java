package dev.distillery.evaluation.cost;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.evaluation.profile.HardwareProfile;
import dev.distillery.evaluation.profile.Operator;
import dev.distillery.evaluation.profile.Precision;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CostModelTest {
    /**
     * conv 1->4 3x3 SAME on 1x8x8, relu, flatten, dense 10. By hand:
     * conv: 36 weights + 4 biases, output 4x8x8 = 256, MACs 36 * 64 = 2304;
     * dense: 256 * 10 = 2560 weights + 10 biases, MACs 2560.
     */
    static final Architecture TINY = new Architecture("tiny", 1, 8, 8, 10, List.of(
            new LayerSpec.Conv2d(4, 3, 1), new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Dense(10)));

    @Test
    void countsParametersMacsAndFloatWeightBytesByHand() {
        CostEstimate c = CostModel.estimate(TINY, Precision.FP32, TestProfiles.roomy());

        assertThat(c.params()).isEqualTo(36 + 4 + 2560 + 10);
        assertThat(c.macs()).isEqualTo(2304 + 2560);
        assertThat(c.weightBytes()).isEqualTo(4L * 2610);
    }

    @Test
    void countsInt8WeightsAsCodesPlusInt32BiasesPlusPerChannelScales() {
        // codes 36 + 2560, biases 4 * (4 + 10), one fp32 scale per output channel 4 * (4 + 10)
        long expected = 36 + 2560 + 4 * 14 + 4 * 14;

        assertThat(CostModel.weightBytes(TINY, Precision.INT8)).isEqualTo(expected);
    }

    @Test
    void int8WeightsTakeAboutAQuarterOfFloat() {
        double ratio = (double) CostModel.weightBytes(TINY, Precision.INT8) / CostModel.weightBytes(TINY, Precision.FP32);

        // Codes are exactly 1/4; int32 biases and scales add 112 B on 10,440 B, about one percentage point.
        assertThat(ratio).isBetween(0.25, 0.25 + 0.015);
    }

    @Test
    void int4PacksTwoWeightsPerByte() {
        long expected = (36 + 1) / 2 + 2560 / 2 + 4 * 14 + 4 * 14;

        assertThat(CostModel.weightBytes(TINY, Precision.INT4)).isEqualTo(expected);
    }

    @Test
    void peakActivationIsTheConvolutionsInputPlusOutput() {
        // conv 64 + 256 = 320 elements; relu and flatten in place 256; dense 256 + 10 = 266.
        assertThat(CostModel.peakActivationBytes(TINY, Precision.FP32)).isEqualTo(320 * 4);
        assertThat(CostModel.peakActivationBytes(TINY, Precision.INT8)).isEqualTo(320);
        assertThat(CostModel.peakActivationBytes(TINY, Precision.FP16)).isEqualTo(320 * 2);
    }

    @Test
    void latencyIsTheSumOfPerLayerRooflines() {
        CostEstimate c = CostModel.estimate(TINY, Precision.FP32, TestProfiles.roomy());

        // 1 M MAC/s and 1 MB/s, so seconds = MACs / 1e6 and bytes / 1e6.
        // conv:  compute 2304, memory (64 + 256) * 4 + 40 * 4 = 1440   -> 2304 us, compute bound
        // relu:  compute 0,    memory (256 + 256) * 4 = 2048           -> 2048 us
        // flatten: a reshape, nothing moves                           -> 0
        // dense: compute 2560, memory (256 + 10) * 4 + 2570 * 4 = 11344 -> 11344 us, memory bound
        double expected = (2304 + 2048 + 0 + 11344) / 1e6;
        assertThat(c.latencySeconds()).hasValueCloseTo(expected, within(1e-12));
        assertThat(c.layers()).extracting(LayerCost::bytesMoved).containsExactly(1440L, 2048L, 0L, 11344L);
        assertThat(c.layers().get(0).memoryBound()).isFalse();
        assertThat(c.layers().get(3).memoryBound()).isTrue();
    }

    @Test
    void energyChargesMacsAndBytesMoved() {
        CostEstimate c = CostModel.estimate(TINY, Precision.FP32, TestProfiles.roomy());

        // 4864 MACs * 100 pJ + (1440 + 2048 + 11344) B * 10 pJ = 634,720 pJ
        assertThat(c.energyMicrojoules()).hasValueCloseTo(0.63472, within(1e-9));
    }

    @Test
    void int8FitsWhereFloatActivationsDoNot() {
        HardwareProfile small = TestProfiles.slow("small", 1000, 1L << 20, false, EnumSet.allOf(Operator.class));

        CostEstimate fp32 = CostModel.estimate(TINY, Precision.FP32, small);
        CostEstimate int8 = CostModel.estimate(TINY, Precision.INT8, small);

        assertThat(fp32.fitsRam()).isFalse();
        assertThat(fp32.runs()).isFalse();
        assertThat(fp32.reasons()).containsExactly("needs 1,280 B of RAM, small has 1,000 B");
        assertThat(int8.fitsRam()).isTrue();
        assertThat(int8.runs()).isTrue();
        assertThat(int8.reasons()).isEmpty();
    }

    @Test
    void countsWeightsAgainstRamWhenTheProfileLoadsThem() {
        HardwareProfile board = TestProfiles.slow("board", 1L << 20, 1L << 20, true, EnumSet.allOf(Operator.class));

        CostEstimate c = CostModel.estimate(TINY, Precision.FP32, board);

        assertThat(c.ramBytes()).isEqualTo(1280 + 10440);
    }

    @Test
    void usesTheGivenModelFileSizeForFlash() {
        HardwareProfile flash5k = TestProfiles.slow("flash5k", 1L << 20, 5000, false, EnumSet.allOf(Operator.class));

        CostEstimate computed = CostModel.estimate(TINY, Precision.FP32, flash5k);
        CostEstimate smallFile = CostModel.estimate(TINY, Precision.FP32, flash5k, 4000);
        CostEstimate bigInt8File = CostModel.estimate(TINY, Precision.INT8, flash5k, 6000);

        assertThat(computed.flashBytes()).isEqualTo(10440);
        assertThat(computed.fitsFlash()).isFalse();
        assertThat(computed.reasons()).containsExactly("needs 10,440 B of flash, flash5k has 5,000 B");
        assertThat(smallFile.fitsFlash()).isTrue();
        assertThat(bigInt8File.fitsFlash()).isFalse();
    }

    @Test
    void reportsUnsupportedPrecisionWithoutInventingALatency() {
        CostEstimate c = CostModel.estimate(TINY, Precision.INT8, TestProfiles.fp32Only());

        assertThat(c.supported()).isFalse();
        assertThat(c.reasons()).containsExactly("fp32-only does not run int8 (runs fp32)");
        assertThat(c.latencySeconds()).isEmpty();
        assertThat(c.energyMicrojoules()).isEmpty();
        assertThat(c.layers()).isEmpty();
        // Memory figures do not depend on the device's arithmetic, so they are still reported.
        assertThat(c.peakActivationBytes()).isEqualTo(320);
    }

    @Test
    void namesEachUnsupportedOperatorAndItsLayers() {
        Architecture pooled = new Architecture("pooled", 1, 8, 8, 10, List.of(new LayerSpec.Conv2d(4, 3, 1),
                new LayerSpec.MaxPool(2), new LayerSpec.DepthwiseConv2d(3, 1), new LayerSpec.MaxPool(2),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10)));
        HardwareProfile noPool = TestProfiles.slow("no-pool", 1L << 20, 1L << 20, false,
                EnumSet.of(Operator.CONV2D, Operator.DENSE, Operator.FLATTEN, Operator.RELU));

        CostEstimate c = CostModel.estimate(pooled, Precision.FP32, noPool);

        assertThat(c.supported()).isFalse();
        assertThat(c.fitsRam()).isTrue();
        assertThat(c.reasons()).containsExactly(
                "no-pool has no depthwise_conv2d operator (layer 2)",
                "no-pool has no max_pool operator (layers 1, 3)");
    }

    @Test
    void sparseEncodingCountsTheBitmapAndOnlyPaysOffAboveOneZeroInBits() {
        // Dense layer: 2,560 weights. Half zero at int8: bitmap 320 B + 1,280 codes = 1,600 B < 2,560 B dense.
        // Conv layer: 36 weights, 10% zero (32 kept): bitmap 5 B + 32 B = 37 B > 36 B dense, so it stays dense.
        List<Long> nnz = List.of(32L, 0L, 0L, 1280L);
        long dense = CostModel.weightBytes(TINY, Precision.INT8);

        long sparse = CostModel.sparseWeightBytes(TINY, Precision.INT8, nnz);

        assertThat(dense - sparse).isEqualTo(2560 - 1600);
        assertThat(CostModel.sparseWeightBytes(TINY, Precision.INT8, List.of())).isEqualTo(dense);
        CostEstimate c = CostModel.estimate(TINY, Precision.INT8, TestProfiles.roomy(), 4096, nnz);
        assertThat(c.sparseWeightBytes()).isEqualTo(sparse);
        assertThat(c.weightBytes()).isEqualTo(dense);
    }

    @Test
    void rejectsNonzeroCountsThatDoNotMatchTheLayers() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        CostModel.sparseWeightBytes(TINY, Precision.INT8, List.of(37L, 0L, 0L, 10L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layer 0 has 36 weights");
    }

    @Test
    void peakLayerIsTheStepWhereTheMostActivationBuffersAreLive() {
        // conv 1->8 on 1x8x8 (in 64, out 512), relu in place, maxpool (512 -> 128), conv 8->8 1x1 (128 -> 128):
        // the pool's step holds the conv output and the pooled map, 640 elements (TensorLifetimesTest).
        Architecture arch = new Architecture("life", 1, 8, 8, 10, List.of(new LayerSpec.Conv2d(8, 3, 1),
                new LayerSpec.Relu(), new LayerSpec.MaxPool(2), new LayerSpec.Conv2d(8, 1, 1), new LayerSpec.Flatten(),
                new LayerSpec.Dense(10)));

        assertThat(CostModel.estimate(arch, Precision.INT8, TestProfiles.roomy()).peakLayer()).isEqualTo(2);
    }

    @Test
    void latencyAddsTheProfilesPerCallOverheadOnce() {
        HardwareProfile base = TestProfiles.roomy();
        HardwareProfile slowCall = new HardwareProfile("slow-call", base.name(), "", base.precisions(),
                base.ramBytes(), base.flashBytes(), base.throughputMacsPerS(), base.memoryBandwidthBytesPerS(),
                base.energyPjPerMac(), base.energyPjPerByte(), base.supportedOps(), false, 0.002, base.sources());

        double without = CostModel.estimate(TINY, Precision.FP32, base).latencySeconds().getAsDouble();
        double with = CostModel.estimate(TINY, Precision.FP32, slowCall).latencySeconds().getAsDouble();

        assertThat(with - without).isCloseTo(0.002, within(1e-12));
    }

    @Test
    void perLayerEnergySumsToTheTotal() {
        CostEstimate c = CostModel.estimate(TINY, Precision.INT8, TestProfiles.roomy());

        double sum = c.layers().stream().mapToDouble(LayerCost::energyPicojoules).sum() * 1e-6;
        assertThat(c.energyMicrojoules().getAsDouble()).isCloseTo(sum, within(1e-12));
    }

    @Test
    void refusesAnArchitectureWithBatchNormInsteadOfCostingItWithout() {
        Architecture bn = new Architecture("bn", 1, 8, 8, 10, List.of(new LayerSpec.Conv2d(4, 3, 1),
                new LayerSpec.BatchNorm(1e-5), new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Dense(10)));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CostModel.estimate(bn, Precision.FP32,
                        TestProfiles.roomy()))
                .isInstanceOf(dev.distillery.core.error.DataContractException.class)
                .hasMessageContaining("the cost model needs a model without batch norm, but bn has batch_norm at layer 1");
        CostEstimate folded = CostModel.estimate(dev.distillery.core.model.BatchNormFolding.foldArchitecture(bn),
                Precision.FP32, TestProfiles.roomy());
        assertThat(folded.params()).isEqualTo(4 * 9 + 4 + 256 * 10 + 10);
    }
}
