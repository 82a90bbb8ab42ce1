package dev.distillery.jobs.stage;

import java.util.ArrayList;
import java.util.List;

/**
 * The float students a run holds, by report name, as distill's and prune's manifests list them: the hard-label
 * baseline, the KD student and its variants (single-teacher, extra temperatures, hint), and the pruned student.
 * Export writes an ONNX file for each and evaluate judges each, so both read this one list.
 */
final class FloatStudents {
    private FloatStudents() {
    }

    /** The float students of this run in report order. */
    static List<UpstreamModels.Model> of(StageContext ctx) {
        List<UpstreamModels.Model> out = new ArrayList<>(UpstreamModels.of(ctx, new DistillStage()));
        if (ctx.config().prune().enabled()) {
            out.addAll(UpstreamModels.of(ctx, new PruneStage()));
        }
        return out;
    }

    /** The file name of a float student's ONNX export. */
    static String onnxFile(UpstreamModels.Model student) {
        return student.variant() + ".onnx";
    }
}
