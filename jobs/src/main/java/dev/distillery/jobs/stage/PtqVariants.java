package dev.distillery.jobs.stage;

import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.student.quant.CalibrationMethod;
import dev.distillery.student.quant.PostTrainingQuantization;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Post-training quantization variants of the student, no training: one per calibration method and weight
 * granularity of the {@code ptq} section, each in {@link QatStage#PTQ_DIR}.
 */
final class PtqVariants {
    /** The kind the qat manifest gives a post-training variant (export turns it into an integer variant). */
    static final String KIND = "ptq";

    private PtqVariants() {
    }

    /** Writes the variants and their metrics; returns their files by variant name, in name order. */
    static Map<String, StageFile> write(StageContext ctx, ModelArtifact source, float[][] sample, Path workDir,
                                        StageResult result) {
        var ptq = ctx.config().ptq();
        float[][] rows = QatStage.head(sample, ptq.rows(ctx.config().qat()));
        List<CalibrationMethod> methods = new ArrayList<>();
        for (int i = 0; i < ptq.methods().size(); i++) {
            methods.add(CalibrationMethod.parse("ptq.methods[" + i + "]", ptq.methods().get(i)));
        }
        Map<String, ModelArtifact> variants = PostTrainingQuantization.variants(source, rows, methods,
                ptq.granularities(), ptq.weightBits(), ctx.config().qat().activationBits(), ptq.percentile());
        Path dir = QatStage.PTQ_DIR.in(workDir);
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, StageFile> files = new TreeMap<>();
        for (var e : new TreeMap<>(variants).entrySet()) {
            ModelArtifact m = e.getValue();
            Map<String, String> lineage = QatStage.sourceLineage(ctx.config().prune().enabled(), "ptq",
                    "post-training quantization: " + m.metadata().get("calibration") + " calibration on " + rows.length
                            + " rows, " + m.metadata().get("weight_granularity").replace('_', '-') + " int"
                            + ptq.weightBits() + " weights, int" + ctx.config().qat().activationBits()
                            + " activations, no training");
            StageFile file = QatStage.PTQ_DIR.child(e.getKey() + ".dmodel");
            ModelIO.write(m.withKind(m.kind(), lineage), file.in(workDir));
            files.put("student-" + e.getKey(), file);
        }
        ctx.console().printf("  ptq: %d variants calibrated on %d rows%n", variants.size(), rows.length);
        result.rows("ptq_calibration_rows", rows.length).metric("ptq_variants", variants.size());
        return files;
    }

}
