package dev.distillery.evaluation.report;

import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.evaluation.cost.CostModel;
import dev.distillery.evaluation.profile.Precision;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReportBuilderTest {

    @Test
    void teacherMatchesTheDesignDocumentsParameterCount() {
        assertThat(ReportFixtures.TEACHER.parameterCount()).isEqualTo(421_642);
    }

    @Test
    void judgesEveryVariantOnEveryProfile() {
        Report report = ReportFixtures.report(Map.of());

        assertThat(report.rows()).hasSize(3 * 4);
        assertThat(report.rowsFor("cortex-m7")).extracting(ProfileRow::variant)
                .containsExactly("teacher", "student-kd", "student-int8");
    }

    @Test
    void teacherFailsOnTheSmallMicrocontrollerBecauseItsFileExceedsFlash() {
        Report report = ReportFixtures.report(Map.of());

        ProfileRow row = report.row("teacher", "cortex-m4f").orElseThrow();
        // 421,642 fp32 parameters are 1,686,568 B, beyond the 1 MiB (1,048,576 B) of an nRF52840.
        assertThat(CostModel.weightBytes(ReportFixtures.TEACHER, Precision.FP32)).isEqualTo(1_686_568);
        assertThat(row.passed()).isFalse();
        assertThat(row.cost().fitsFlash()).isFalse();
        assertThat(row.reasons()).singleElement().asString().contains("of flash, cortex-m4f has 1,048,576 B");
    }

    @Test
    void recommendsTheMostAccuratePassingStudentNeverTheTeacher() {
        Report report = ReportFixtures.report(Map.of());

        // The teacher fits the host and passes its gate there, but it is the reference, not a candidate.
        assertThat(report.row("teacher", "x86-avx2-host").orElseThrow().passed()).isTrue();
        assertThat(report.row("teacher", "x86-avx2-host").orElseThrow().candidate()).isFalse();
        assertThat(report.recommendation("x86-avx2-host")).contains("student-kd");
        assertThat(report.recommendation("cortex-m7")).contains("student-kd");
        assertThat(report.recommendation("cortex-m4f")).contains("student-kd");
    }

    @Test
    void aRequiredProfileWhereOnlyTheTeacherPassesFailsTheGate() {
        Report report = ReportFixtures.builder(Map.of("x86-avx2-host", 0.93)).build();

        assertThat(report.row("teacher", "x86-avx2-host").orElseThrow().passed()).isTrue();
        assertThat(report.recommendation("x86-avx2-host")).isEmpty();
        assertThat(report.failedRequiredProfiles()).containsExactly("x86-avx2-host");
    }

    @Test
    void failsTheGateBelowTheProfilesMinimumAccuracyAndRecommendsNothingThere() {
        Report report = ReportFixtures.report(Map.of("cortex-m4f", 0.95));

        ProfileRow kd = report.row("student-kd", "cortex-m4f").orElseThrow();
        assertThat(kd.passed()).isFalse();
        assertThat(kd.reasons()).containsExactly("accuracy 0.9000 is below min_accuracy 0.9500 for cortex-m4f");
        assertThat(report.recommendation("cortex-m4f")).isEmpty();
        assertThat(report.profilesWithoutPassingVariant(ReportFixtures.PROFILE_IDS)).containsExactly("cortex-m4f");
        // A threshold on one profile does not touch the others.
        assertThat(report.row("student-kd", "cortex-m7").orElseThrow().passed()).isTrue();
    }

    @Test
    void failsOnLatencyAndOnAccuracyDropAgainstTheTeacher() {
        Report report = ReportFixtures.builder(Map.of())
                .maxLatencyMs(Map.of("cortex-m4f", 1.0))
                .maxAccuracyDrop(Map.of("cortex-m7", 0.06))
                .build();

        ProfileRow slow = report.row("student-kd", "cortex-m4f").orElseThrow();
        assertThat(slow.passed()).isFalse();
        assertThat(slow.reasons()).singleElement().asString()
                .startsWith("estimated latency ").endsWith("ms is above max_latency_ms 1.000 for cortex-m4f");
        // Teacher 95%, kd 90% (drop 0.05 passes), int8 85% (drop 0.10 fails).
        assertThat(report.row("student-kd", "cortex-m7").orElseThrow().passed()).isTrue();
        ProfileRow int8 = report.row("student-int8", "cortex-m7").orElseThrow();
        assertThat(int8.accuracyDrop().getAsDouble()).isCloseTo(0.10, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(int8.reasons()).containsExactly(
                "accuracy drop 0.1000 against the teacher is above max_accuracy_drop 0.0600 for cortex-m7");
    }

    @Test
    void paretoFrontKeepsOnlyStudentsNoOtherBeatsOnAccuracyAndLatency() {
        Report report = ReportFixtures.report(Map.of());

        // On the host, int8 is faster but less accurate than kd: both are on the front, fastest first.
        double kd = report.row("student-kd", "x86-avx2-host").orElseThrow().cost().latencySeconds().getAsDouble();
        double int8 = report.row("student-int8", "x86-avx2-host").orElseThrow().cost().latencySeconds()
                .getAsDouble();
        assertThat(int8).isLessThan(kd);
        assertThat(report.pareto().get("x86-avx2-host")).containsExactly("student-int8", "student-kd");
        assertThat(report.pareto().values()).allSatisfy(front -> assertThat(front).doesNotContain("teacher"));
    }

    @Test
    void checksTheHostEstimateAgainstEveryMeasuredRuntime() {
        Report report = ReportFixtures.report(Map.of());

        assertThat(report.hostProfile()).isEqualTo("x86-avx2-host");
        assertThat(report.costChecks()).hasSize(3 * 2);
        CostCheck c = report.costChecks().get(0);
        assertThat(c.relativeError()).isEqualTo((c.estimatedMs() - c.measuredMedianMs()) / c.measuredMedianMs());
        assertThat(c.estimatedMs()).isEqualTo(report.row(c.variant(), "x86-avx2-host").orElseThrow().cost()
                .latencyMillis().getAsDouble());
    }

    @Test
    void rejectsAThresholdForAProfileThatIsNotInTheReport() {
        assertThatThrownBy(() -> ReportFixtures.report(Map.of("cortex-m9", 0.5)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("min_accuracy names profile cortex-m9");
    }

    @Test
    void rejectsTwoVariantsWithTheSameName() {
        ReportBuilder builder = new ReportBuilder("dup").profiles(ReportFixtures.profiles())
                .variants(List.of(ReportFixtures.teacher(), ReportFixtures.teacher()));

        assertThatThrownBy(builder::build)
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("two variants named teacher");
    }

    @Test
    void floatVariantsDoNotRunOnIntegerOnlyAcceleratorsAndTheReportSaysWhy() {
        List<String> all = dev.distillery.evaluation.profile.ProfileLoader.availableIds(ReportFixtures.SHIPPED);
        Report report = new ReportBuilder("all devices").profiles(
                        dev.distillery.evaluation.profile.ProfileLoader.loadAll(ReportFixtures.SHIPPED, all))
                .variants(List.of(ReportFixtures.studentKd(), ReportFixtures.studentInt8())).build();

        for (String id : List.of("coral-edge-tpu", "phone-npu-int8", "cortex-m55-ethos-u55")) {
            ProfileRow fp32 = report.row("student-kd", id).orElseThrow();
            assertThat(fp32.passed()).as(id).isFalse();
            assertThat(fp32.cost().latencyMillis()).as(id).isEmpty();
            assertThat(fp32.reasons()).as(id).contains(id + " does not run fp32 (runs int8)");
        }
        assertThat(report.row("student-int8", "coral-edge-tpu").orElseThrow().passed()).isTrue();
        assertThat(report.recommendation("coral-edge-tpu")).contains("student-int8");
        assertThat(report.profiles()).hasSizeGreaterThanOrEqualTo(8);
    }

    @Test
    void shippedNpuProfilesRejectAPerChannelDenseLayerByNameAndRunThePerTensorOne() {
        // Vela and NNAPI accept per-channel weight scales for convolutions only: a dense layer quantized per channel
        // would leave the accelerator, the same layer with one scale runs on it.
        Variant perChannel = ReportFixtures.studentInt8();
        int dense = perChannel.architecture().layerInfos().stream()
                .filter(i -> i.spec() instanceof dev.distillery.core.model.LayerSpec.Dense).findFirst().orElseThrow()
                .index();
        Variant perTensorDense = Variant.of("student-ptq-minmax-per_tensor", perChannel.kind(),
                        perChannel.precision(), perChannel.architecture(), perChannel.metrics(), perChannel.sizeBytes(),
                        perChannel.sparsity(), perChannel.source())
                .withPerTensorLayers(java.util.Set.of(dense));
        Report report = new ReportBuilder("npus").profiles(dev.distillery.evaluation.profile.ProfileLoader.loadAll(
                        ReportFixtures.SHIPPED, List.of("cortex-m55-ethos-u55", "phone-npu-int8")))
                .variants(List.of(ReportFixtures.studentKd(), perChannel, perTensorDense)).build();

        for (String id : List.of("cortex-m55-ethos-u55", "phone-npu-int8")) {
            ProfileRow int8 = report.row("student-int8", id).orElseThrow();
            assertThat(int8.passed()).as(id).isFalse();
            assertThat(int8.reasons()).as(id).anyMatch(r -> r.startsWith(id + " takes dense with per-tensor weights "
                    + "only, and layer " + dense + " of student-int8 carry per-channel scales (")
                    && r.contains("FULLY_CONNECTED"));
            assertThat(report.row("student-ptq-minmax-per_tensor", id).orElseThrow().passed()).as(id).isTrue();
            assertThat(report.recommendation(id)).as(id).contains("student-ptq-minmax-per_tensor");
        }
    }
}
