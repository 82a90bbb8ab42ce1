package dev.distillery.jobs.stage;

import dev.distillery.evaluation.report.Variant;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The float students a run holds, by report name: the hard-label baseline, the KD student and its variants
 * (single-teacher, extra temperatures, hint), and the pruned student. Export writes an ONNX file for each and
 * evaluate judges each, so both read this one list.
 */
final class FloatStudents {
    /** A float student: report name and kind, and its model file's stage folder and name. */
    record Entry(String name, String kind, String dir, String file) {
        Path path(StageContext ctx) {
            return ctx.stageDir(dir).resolve(file);
        }

        /** The file name of its ONNX export. */
        String onnxFile() {
            return name + ".onnx";
        }
    }

    private FloatStudents() {
    }

    /** The float students of this run in report order. */
    static List<Entry> of(StageContext ctx) {
        var cfg = ctx.config();
        List<Entry> out = new ArrayList<>();
        out.add(new Entry("student-baseline", Variant.STUDENT_BASELINE, "student", DistillStage.BASELINE_MODEL));
        if (Files.exists(ctx.stageDir("student").resolve(DistillStage.SINGLE_TEACHER_MODEL))) {
            out.add(new Entry("student-kd-single-teacher", Variant.STUDENT_KD, "student",
                    DistillStage.SINGLE_TEACHER_MODEL));
        }
        out.add(new Entry("student-kd", Variant.STUDENT_KD, "student", DistillStage.KD_MODEL));
        for (double t : cfg.distill().extraTemperatures()) {
            out.add(new Entry("student-kd-t" + DistillStage.temperatureId(t), Variant.STUDENT_KD, "student",
                    DistillStage.temperatureModel(t)));
        }
        if (cfg.distill().hint().enabled()) {
            out.add(new Entry("student-kd-hint", Variant.STUDENT_KD, "student", DistillStage.HINT_MODEL));
        }
        if (cfg.prune().enabled()) {
            out.add(new Entry("student-pruned", Variant.STUDENT_PRUNED, "student-pruned", PruneStage.MODEL));
        }
        return out;
    }
}
