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
    void recommendsTheMostAccurateVariantThatFits() {
        Report report = ReportFixtures.report(Map.of());

        assertThat(report.recommendation("x86-avx2-host")).contains("teacher");
        assertThat(report.recommendation("cortex-m7")).contains("teacher");
        assertThat(report.recommendation("cortex-m4f")).contains("student-kd");
    }

    @Test
    void failsTheGateBelowTheProfilesMinimumAccuracyButStillNamesTheBestCandidate() {
        Report report = ReportFixtures.report(Map.of("cortex-m4f", 0.95));

        ProfileRow kd = report.row("student-kd", "cortex-m4f").orElseThrow();
        assertThat(kd.passed()).isFalse();
        assertThat(kd.reasons()).containsExactly("accuracy 0.9000 is below min_accuracy 0.9500 for cortex-m4f");
        assertThat(report.recommendation("cortex-m4f")).contains("student-kd");
        assertThat(report.profilesWithoutPassingVariant(ReportFixtures.PROFILE_IDS)).containsExactly("cortex-m4f");
        // A threshold on one profile does not touch the others.
        assertThat(report.row("student-kd", "cortex-m7").orElseThrow().passed()).isTrue();
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
}
