package dev.distillery.jobs.stage;

import dev.distillery.core.data.Examples;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.BatchNormFolding;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.evaluation.report.Lineage;
import dev.distillery.student.arch.StudentArchitecture;
import dev.distillery.student.quant.IntegerConverter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * qat: the quantized students, from the pruned student when pruning is on (keeping its zeros), else the KD
 * student: post-training quantization variants ({@link PtqVariants}), then quantization-aware fine-tuning
 * ({@link QatFineTuning}). Both calibrate on the same training rows; its manifest lists every model it wrote.
 */
public final class QatStage implements Stage {
    public static final StageFolder OUTPUT = new StageFolder("student-qat");
    public static final StageFile MODEL = OUTPUT.file("student-qat.dmodel");
    /** Folder of the post-training quantization variants inside the stage output, one model file per variant. */
    public static final StageFile PTQ_DIR = OUTPUT.file("ptq");

    @Override
    public String name() {
        return "qat";
    }

    @Override
    public StageFolder output() {
        return OUTPUT;
    }

    @Override
    public List<String> configSections() {
        return List.of("seed", "spark", "distill", "prune", "qat", "ptq");
    }

    @Override
    public boolean resumable() {
        return true;
    }

    @Override
    public List<Path> inputs(StageContext ctx) {
        List<Path> in = new ArrayList<>(List.of(PrepareStage.OUTPUT.dir(ctx), LabelStage.OUTPUT.dir(ctx),
                DistillStage.OUTPUT.dir(ctx)));
        if (ctx.config().prune().enabled()) {
            in.add(PruneStage.OUTPUT.dir(ctx));
        }
        return in;
    }

    /** Rejects, before any training, a weight width the integer runtime cannot run on one of the student's layers. */
    @Override
    public void validate(StageContext ctx) {
        var qat = ctx.config().qat();
        QuantSpec spec = new QuantSpec(qat.weightBits(), qat.activationBits(), Map.of(), Map.of(), false,
                qat.depthwiseWeightBits());
        Path prepared = PrepareStage.OUTPUT.dir(ctx);
        if (Files.exists(prepared.resolve(Examples.INFO_FILE))) {
            Architecture arch = BatchNormFolding.foldArchitecture(
                    StudentArchitecture.of(ctx.config().student(), Examples.info(prepared)));
            IntegerConverter.checkSupported(arch.layerInfos(), spec);
        } else if (ctx.config().student().type().equals("ds-cnn") && spec.depthwiseWeightBits() != 8) {
            throw new InvalidConfigException("qat.depthwise_weight_bits " + spec.depthwiseWeightBits()
                    + " cannot apply to the depthwise_conv2d layers of the ds-cnn student (one per block): the integer "
                    + "runtime runs depthwise convolutions with 8-bit weights only");
        }
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        var cfg = ctx.config();
        var qatCfg = cfg.qat();
        boolean pruned = cfg.prune().enabled();
        // students are saved folded; folding here as well keeps batch norm out of calibration and fake
        // quantization whatever file arrives, so the quantized layers are always the folded ones
        ModelArtifact source = BatchNormFolding.fold(ModelIO.read((pruned ? PruneStage.MODEL : DistillStage.KD_MODEL)
                .path(ctx), DistillStage.KIND));
        int rows = Math.max(qatCfg.calibrationRows(), cfg.ptq().enabled() ? cfg.ptq().rows(qatCfg) : 0);
        var sample = Examples.collect(Examples.load(ctx.spark(), PrepareStage.OUTPUT.dir(ctx), Examples.TRAIN)
                .orderBy("id").limit(rows));
        StageResult result = new StageResult();
        Map<String, StageFile> ptq = cfg.ptq().enabled()
                ? PtqVariants.write(ctx, source, sample.features(), workDir, result) : Map.of();
        QatFineTuning.run(ctx, source, head(sample.features(), qatCfg.calibrationRows()), workDir, result);
        // listed after the QAT model, in name order: export and evaluate keep this order
        ptq.forEach((variant, file) -> result.model(variant.replaceFirst("^student-", "").replace('-', '_'), variant,
                PtqVariants.KIND, file));
        return result;
    }

    /** Lineage metadata naming the model quantization started from: the pruned student, else the KD student. */
    static Map<String, String> sourceLineage(boolean pruned, String technique, String detail) {
        return pruned ? ModelLineage.of(PruneStage.MODEL, Lineage.DERIVED, technique, detail)
                : ModelLineage.of(DistillStage.KD_MODEL, Lineage.DERIVED, technique, detail);
    }

    static float[][] head(float[][] rows, int n) {
        return n >= rows.length ? rows : java.util.Arrays.copyOf(rows, n);
    }
}
