package dev.distillery.evaluation.report;

import dev.distillery.core.error.DataContractException;
import dev.distillery.core.labels.TeacherIdentity;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.evaluation.profile.Precision;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The ablation table from fixture variants on two tiny MLPs whose byte counts are worked out by hand: a 4-3-2
 * student (12 + 6 weights, 5 biases) and a 4-8-2 teacher (32 + 16 weights, 10 biases).
 */
class AblationTest {
    static final Architecture STUDENT = new Architecture("mlp-3", 1, 1, 4, 2, List.of(new LayerSpec.Flatten(),
            new LayerSpec.Dense(3), new LayerSpec.Relu(), new LayerSpec.Dense(2)));
    static final Architecture TEACHER = new Architecture("mlp-8", 1, 1, 4, 2, List.of(new LayerSpec.Flatten(),
            new LayerSpec.Dense(8), new LayerSpec.Relu(), new LayerSpec.Dense(2)));
    /** Half of each dense layer's weights zero: 6 of 12 and 3 of 6. */
    static final List<Long> HALF_ZERO = List.of(0L, 6L, 0L, 3L);
    static final TeacherSet ONE = new TeacherSet("none", List.of(new TeacherIdentity("a".repeat(64), "mlp-8", 58,
            "teacher/teacher.dmodel")));
    static final TeacherSet TWO = new TeacherSet("mean-logits", List.of(ONE.teachers().get(0),
            new TeacherIdentity("b".repeat(64), "mlp-16", 114, "other/teacher.dmodel")));

    /** A variant with {@code correct} of 20 test examples right and a file 100 bytes larger than its weights. */
    static Variant variant(String name, String kind, Precision precision, Architecture arch, int correct) {
        return Variant.of(name, kind, precision, arch, ReportFixtures.metrics(correct),
                dev.distillery.evaluation.cost.CostModel.weightBytes(arch, precision) + 100, 0,
                Path.of("out", name + ".bin"));
    }

    static Variant teacher() {
        return variant("teacher", Variant.TEACHER, Precision.FP32, TEACHER, 19);
    }

    static Variant baseline() {
        return variant("student-baseline", Variant.STUDENT_BASELINE, Precision.FP32, STUDENT, 14);
    }

    static Variant kd(String from) {
        return variant("student-kd", Variant.STUDENT_KD, Precision.FP32, STUDENT, 16).withTeachers(ONE)
                .withLineage(new Lineage(from, Lineage.SIBLING, List.of("distillation"), "knowledge distillation"));
    }

    static Variant pruned() {
        Variant v = variant("student-pruned", Variant.STUDENT_PRUNED, Precision.FP32, STUDENT, 15);
        return new Variant(v.name(), v.kind(), v.precision(), v.accuracy(), v.params(), v.sizeBytes(), v.macs(), 0.5,
                v.source(), v.metrics(), v.architecture(), HALF_ZERO, List.of(), null, ONE, null)
                .withLineage(new Lineage("student-kd", Lineage.DERIVED, List.of("pruning"), "magnitude pruning to 50%"));
    }

    static Variant int8(String from) {
        return variant("student-int8", Variant.STUDENT_INT8, Precision.INT8, STUDENT, 15).withTeachers(ONE)
                .withNonzeroWeights(HALF_ZERO).withLineage(new Lineage(from, Lineage.DERIVED,
                        List.of("qat", "integer-conversion"), "quantization-aware training, int8"));
    }

    static Variant ptq(String name, int correct) {
        return variant(name, Variant.STUDENT_INT8, Precision.INT8, STUDENT, correct).withLineage(new Lineage(
                "student-pruned", Lineage.DERIVED, List.of("ptq", "integer-conversion"), "post-training " + name));
    }

    @Test
    void followsTheLineageFromTheTeacherToTheLastStudentWithEveryDeltaMeasuredApart() {
        List<AblationStep> rows = Ablation.of(List.of(teacher(), baseline(), kd("student-baseline"), pruned(),
                int8("student-pruned")));

        assertThat(rows).extracting(Fmt::step).containsExactly("teacher → student-baseline",
                "student-baseline → student-kd", "student-kd → student-pruned", "student-pruned → student-int8",
                "teacher → student-int8 (total)");
        assertThat(rows).extracting(AblationStep::relation).containsExactly(AblationStep.ARCHITECTURE,
                Lineage.SIBLING, Lineage.DERIVED, Lineage.DERIVED, AblationStep.TOTAL);

        AblationStep kd = rows.get(1);
        // 14 -> 16 of 20 right: ten points
        assertThat(kd.accuracyFrom()).isEqualTo(0.70, within(1e-12));
        assertThat(kd.accuracyDeltaPoints()).isEqualTo(10.0, within(1e-9));
        assertThat(kd.weightBytes().ratio()).isEqualTo(1.0);

        AblationStep prune = rows.get(2);
        // fp32 dense: 18 weights x 4 + 5 biases x 4 = 92 bytes either way; zeros shrink only the sparse encoding:
        // layer 1: 2-byte bitmap + 6 x 4 = 26 (< 48), layer 2: 1 + 3 x 4 = 13 (< 24), biases 20 -> 59
        assertThat(prune.accuracyDeltaPoints()).isEqualTo(-5.0, within(1e-9));
        assertThat(prune.weightBytes()).isEqualTo(new AblationStep.Change(92, 92));
        assertThat(prune.sparseWeightBytes()).isEqualTo(new AblationStep.Change(92, 59));
        assertThat(prune.sparseWeightBytes().delta()).isEqualTo(-33);
        assertThat(prune.macs()).isEqualTo(new AblationStep.Change(18, 18));
        assertThat(prune.sparsityTo()).isEqualTo(0.5);

        AblationStep qat = rows.get(3);
        // int8 dense: 18 one-byte codes + 5 int32 biases + 5 fp32 scales = 58; sparse: (2 + 6) + (1 + 3) + 40 = 52
        assertThat(qat.weightBytes()).isEqualTo(new AblationStep.Change(92, 58));
        assertThat(qat.sparseWeightBytes()).isEqualTo(new AblationStep.Change(59, 52));
        assertThat(qat.fileBytes()).isEqualTo(new AblationStep.Change(192, 158));
        assertThat(qat.techniques()).containsExactly("qat", "integer-conversion");

        AblationStep total = rows.get(4);
        // teacher fp32: 48 weights + 10 biases = 58 values = 232 bytes, four times the int8 student's 58
        assertThat(total.weightBytes()).isEqualTo(new AblationStep.Change(232, 58));
        assertThat(total.weightBytes().ratio()).isEqualTo(0.25);
        assertThat(total.macs()).isEqualTo(new AblationStep.Change(48, 18));
        assertThat(total.params()).isEqualTo(new AblationStep.Change(58, 23));
        assertThat(total.accuracyDeltaPoints()).isEqualTo(-20.0, within(1e-9));
        assertThat(total.techniques()).containsExactly(Ablation.STUDENT_ARCHITECTURE, "distillation", "pruning",
                "qat", "integer-conversion");
        assertThat(total.detail()).contains("mlp-3 instead of the teacher's mlp-8, trained on hard labels",
                "knowledge distillation", "magnitude pruning to 50%", "quantization-aware training");
    }

    @Test
    void keepsTheMostAccurateCalibrationOfEachModelAndCountsTheOthers() {
        Variant t2 = variant("student-kd-t2", Variant.STUDENT_KD, Precision.FP32, STUDENT, 17).withLineage(
                new Lineage("student-kd", Lineage.SIBLING, List.of("temperature"), "T=2 instead of T=4"));
        List<AblationStep> rows = Ablation.of(List.of(teacher(), baseline(), kd("student-baseline"), t2, pruned(),
                int8("student-pruned"), ptq("student-ptq-a", 14), ptq("student-ptq-b", 15), ptq("student-ptq-c", 15)));

        assertThat(rows).extracting(Fmt::step).containsExactly("teacher → student-baseline",
                "student-baseline → student-kd", "student-kd → student-kd-t2", "student-kd → student-pruned",
                "student-pruned → student-int8", "student-pruned → student-ptq-b", "teacher → student-int8 (total)");
        AblationStep ptq = rows.get(5);
        assertThat(ptq.alternatives()).isEqualTo(3);
        assertThat(Fmt.technique(ptq)).endsWith("(most accurate of 3)");
        assertThat(rows.get(2).accuracyDeltaPoints()).isEqualTo(5.0, within(1e-9));
        assertThat(rows.get(4).alternatives()).isEqualTo(1);
    }

    @Test
    void variantsARunDidNotProduceSimplyHaveNoRow() {
        // pruning off: the integer model's file names the distilled student as its origin
        List<AblationStep> noPruning = Ablation.of(List.of(teacher(), baseline(), kd("student-baseline"),
                int8("student-kd")));
        assertThat(noPruning).extracting(Fmt::step).containsExactly("teacher → student-baseline",
                "student-baseline → student-kd", "student-kd → student-int8", "teacher → student-int8 (total)");

        // an origin that is not in the report adds no row, and its descendant is not a chain's end
        List<AblationStep> orphan = Ablation.of(List.of(teacher(), baseline(), kd("student-baseline"),
                int8("student-pruned")));
        assertThat(orphan).extracting(Fmt::step).containsExactly("teacher → student-baseline",
                "student-baseline → student-kd", "teacher → student-kd (total)");

        // files of an older run record no lineage: no table at all
        assertThat(Ablation.of(List.of(teacher(), baseline(), variant("student-kd", Variant.STUDENT_KD,
                Precision.FP32, STUDENT, 16)))).isEmpty();
        // without a teacher there is no architecture row and no total
        assertThat(Ablation.of(List.of(baseline(), kd("student-baseline")))).extracting(Fmt::step)
                .containsExactly("student-baseline → student-kd");
    }

    @Test
    void anEnsembleStudentIsComparedWithItsSingleTeacherSibling() {
        Variant single = variant("student-kd-single-teacher", Variant.STUDENT_KD, Precision.FP32, STUDENT, 15)
                .withTeachers(ONE).withLineage(new Lineage("student-baseline", Lineage.SIBLING,
                        List.of("distillation"), "knowledge distillation from the single teacher"));
        Variant ensemble = variant("student-kd", Variant.STUDENT_KD, Precision.FP32, STUDENT, 17).withTeachers(TWO)
                .withLineage(new Lineage(single.name(), Lineage.SIBLING, List.of(Ablation.TEACHER_ENSEMBLE),
                        "ensemble of 2 teachers instead of the single teacher"));
        Report report = new ReportBuilder("ensemble").profiles(ReportFixtures.profiles())
                .variants(List.of(teacher(), baseline(), single, ensemble)).build();

        assertThat(report.ablation()).extracting(Fmt::step).containsExactly("teacher → student-baseline",
                "student-baseline → student-kd-single-teacher", "student-kd-single-teacher → student-kd",
                "teacher → student-kd (total)");
        assertThat(Ablation.ensembleSteps(report)).singleElement().satisfies(s -> {
            assertThat(s.accuracyDeltaPoints()).isEqualTo(10.0, within(1e-9));
            assertThat(s.weightBytes().delta()).isZero();
        });
        assertThat(TeacherSet.students(report.variants())).containsExactly(
                java.util.Map.entry(ONE, List.of("student-kd-single-teacher")),
                java.util.Map.entry(TWO, List.of("student-kd")));
        String md = MarkdownReport.render(report);
        assertThat(md).contains("## Teachers of the distilled students",
                "### Ensemble against single teacher: student-kd against student-kd-single-teacher",
                "ensemble of 2 (mean-logits)", "mlp-16 (114 params, sha256 bbbbbbbbbbbb)", "+10.00 pts");
        assertThat(HtmlReport.render(report)).contains("<h2 id=\"teachers\">", "Ensemble against single teacher");
    }

    @Test
    void refusesLineageThatRunsInACircle() {
        Variant a = variant("a", Variant.STUDENT_KD, Precision.FP32, STUDENT, 10)
                .withLineage(new Lineage("b", Lineage.DERIVED, List.of("pruning"), "x"));
        Variant b = variant("b", Variant.STUDENT_KD, Precision.FP32, STUDENT, 10)
                .withLineage(new Lineage("a", Lineage.DERIVED, List.of("pruning"), "y"));

        assertThatThrownBy(() -> Ablation.of(List.of(teacher(), a, b))).isInstanceOf(DataContractException.class)
                .hasMessageContaining("[a, b]").hasMessageContaining("circle");
    }

    @Test
    void aVariantCannotNameItselfAsItsOrigin() {
        assertThatThrownBy(() -> baseline().withLineage(new Lineage("student-baseline", Lineage.DERIVED,
                List.of("pruning"), "")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compared with itself");
    }
}
