package dev.distillery.jobs.stage;

import dev.distillery.core.config.TrainingParams;
import dev.distillery.core.data.Examples;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.BatchNormFolding;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.train.EpochStats;
import dev.distillery.core.train.SparkTrainer;
import dev.distillery.core.train.TrainResult;
import dev.distillery.evaluation.report.Lineage;
import dev.distillery.student.arch.StudentArchitecture;
import dev.distillery.core.engine.DistillationObjective;
import dev.distillery.core.engine.FakeQuantHooks;
import dev.distillery.core.engine.PruneMaskHooks;
import dev.distillery.student.prune.MagnitudePruning;
import dev.distillery.student.quant.ActivationRanges;
import dev.distillery.student.quant.Calibration;
import dev.distillery.student.quant.CalibrationMethod;
import dev.distillery.student.quant.IntegerConverter;
import dev.distillery.student.quant.PostTrainingQuantization;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * qat: post-training quantization variants of the student (one per calibration method and weight granularity),
 * then quantization-aware fine-tuning under the distillation loss: symmetric per-channel weight fake quantization,
 * asymmetric activation fake quantization whose ranges start from calibration and follow an exponential moving
 * average after every epoch (frozen after the last), straight-through estimator. Starts from the pruned student
 * when pruning is on, keeping its zeros.
 */
public final class QatStage implements Stage {
    public static final String MODEL = "student-qat.dmodel";
    /** Folder of the post-training quantization variants inside the stage output, one model file per variant. */
    public static final String PTQ_DIR = "ptq";

    @Override
    public String name() {
        return "qat";
    }

    @Override
    public String outputDir() {
        return "student-qat";
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
        List<Path> in = new ArrayList<>(List.of(ctx.stageDir("prepared"), ctx.stageDir("soft-labels"),
                ctx.stageDir("student")));
        if (ctx.config().prune().enabled()) {
            in.add(ctx.stageDir("student-pruned"));
        }
        return in;
    }

    /** Rejects, before any training, a weight width the integer runtime cannot run on one of the student's layers. */
    @Override
    public void validate(StageContext ctx) {
        var qat = ctx.config().qat();
        QuantSpec spec = new QuantSpec(qat.weightBits(), qat.activationBits(), Map.of(), Map.of(), false,
                qat.depthwiseWeightBits());
        Path prepared = ctx.stageDir("prepared");
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
        ModelArtifact source = BatchNormFolding.fold(pruned
                ? ModelIO.read(ctx.stageDir("student-pruned").resolve(PruneStage.MODEL), DistillStage.KIND)
                : ModelIO.read(ctx.stageDir("student").resolve(DistillStage.KD_MODEL), DistillStage.KIND));
        int rows = Math.max(qatCfg.calibrationRows(), cfg.ptq().enabled() ? cfg.ptq().rows(qatCfg) : 0);
        var sample = Examples.collect(Examples.load(ctx.spark(), ctx.stageDir("prepared"), Examples.TRAIN)
                .orderBy("id").limit(rows));
        StageResult result = new StageResult();
        if (cfg.ptq().enabled()) {
            writePtqVariants(ctx, source, sample.features(), workDir, result);
        }

        float[][] calibration = head(sample.features(), qatCfg.calibrationRows());
        QuantSpec settings = new QuantSpec(qatCfg.weightBits(), qatCfg.activationBits(), Map.of(), Map.of(), false,
                qatCfg.depthwiseWeightBits());
        IntegerConverter.checkSupported(source.architecture().layerInfos(), settings);
        QuantSpec quant = Calibration.calibrate(source, calibration, settings,
                CalibrationMethod.parse("qat.calibration", qatCfg.calibration()), cfg.ptq().percentile());
        Map<String, float[]> masks = pruned ? MagnitudePruning.masks(source) : Map.of();
        GraphHooks prune = pruned ? new PruneMaskHooks(masks) : GraphHooks.NONE;
        var validation = StudentTraining.validation(ctx);
        var objective = new DistillationObjective(cfg.distill().temperature(), cfg.distill().alpha());
        TrainingParams oneEpoch = new TrainingParams(1, qatCfg.batchSize(), qatCfg.learningRate(), 0, 0);

        // One training run per epoch: the activation ranges are graph constants while an epoch trains, and move
        // by their moving average between epochs. The best (model, ranges) pair on validation is kept.
        ModelArtifact current = source;
        ModelArtifact best = null;
        QuantSpec bestQuant = null;
        double bestAccuracy = -1;
        int bestEpoch = 0;
        List<EpochStats> history = new ArrayList<>();
        long trainRows = 0;
        double seconds = 0;
        for (int epoch = 1; epoch <= qatCfg.epochs(); epoch++) {
            GraphHooks hooks = GraphHooks.chain(prune, new FakeQuantHooks(quant));
            TrainResult r = StudentTraining.train(ctx, "qat-epoch" + epoch, StudentTraining.distillationRows(ctx),
                    validation, current, hooks, objective, oneEpoch, workDir);
            current = pruned ? MagnitudePruning.applyMasks(r.best(), masks) : r.best();
            quant = ActivationRanges.update(current, quant, prune, calibration, qatCfg.batchSize(),
                    qatCfg.emaDecay());
            double accuracy = SparkTrainer.accuracy(current, GraphHooks.chain(prune, new FakeQuantHooks(quant)),
                    validation);
            ctx.console().printf("  qat epoch %d/%d: validation accuracy %.2f%% with the moved ranges%n", epoch,
                    qatCfg.epochs(), 100 * accuracy);
            for (EpochStats e : r.history()) {
                history.add(new EpochStats("qat", epoch, qatCfg.epochs(), e.trainLoss(), accuracy, e.epochSeconds(),
                        e.etaSeconds(), e.samplesPerSecond(), e.learningRate(), e.stepSeconds()));
            }
            trainRows = r.trainRows();
            seconds += r.seconds();
            if (accuracy > bestAccuracy) {
                bestAccuracy = accuracy;
                best = current;
                bestQuant = quant;
                bestEpoch = epoch;
            }
        }
        Map<String, String> meta = new java.util.LinkedHashMap<>(Map.of("variant", "qat",
                "weight_bits", String.valueOf(bestQuant.weightBits()),
                "depthwise_weight_bits", String.valueOf(bestQuant.depthwiseWeightBits()),
                "activation_bits", String.valueOf(bestQuant.activationBits()), "pruned", String.valueOf(pruned),
                "ema_decay", String.valueOf(qatCfg.emaDecay())));
        meta.putAll(sourceLineage(pruned, "qat", "quantization-aware training: int" + bestQuant.weightBits()
                + " weights" + (bestQuant.depthwiseWeightBits() != bestQuant.weightBits()
                ? " (depthwise int" + bestQuant.depthwiseWeightBits() + ")" : "") + ", int"
                + bestQuant.activationBits() + " activations, " + qatCfg.calibration() + " calibration, "
                + qatCfg.epochs() + " epoch(s) under the distillation loss, best epoch " + bestEpoch));
        ModelArtifact qat = best.withQuant(bestQuant).withKind(DistillStage.KIND, meta);
        ModelIO.write(qat, workDir.resolve(MODEL));
        TrainResult summary = new TrainResult(qat, bestEpoch, bestAccuracy, history, trainRows, seconds);
        TrainingSummary.write(workDir.resolve("history.json"), summary);
        return TrainingSummary.metrics(result, "qat", summary)
                .rows("calibration_rows", calibration.length).output("model", MODEL);
    }

    private static void writePtqVariants(StageContext ctx, ModelArtifact source, float[][] sample, Path workDir,
                                         StageResult result) {
        var ptq = ctx.config().ptq();
        float[][] rows = head(sample, ptq.rows(ctx.config().qat()));
        List<CalibrationMethod> methods = new ArrayList<>();
        for (int i = 0; i < ptq.methods().size(); i++) {
            methods.add(CalibrationMethod.parse("ptq.methods[" + i + "]", ptq.methods().get(i)));
        }
        Map<String, ModelArtifact> variants = PostTrainingQuantization.variants(source, rows, methods,
                ptq.granularities(), ptq.weightBits(), ctx.config().qat().activationBits(), ptq.percentile());
        Path dir = workDir.resolve(PTQ_DIR);
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (var e : variants.entrySet()) {
            ModelArtifact m = e.getValue();
            Map<String, String> lineage = sourceLineage(ctx.config().prune().enabled(), "ptq",
                    "post-training quantization: " + m.metadata().get("calibration") + " calibration on " + rows.length
                            + " rows, " + m.metadata().get("weight_granularity").replace('_', '-') + " int"
                            + ptq.weightBits() + " weights, int" + ctx.config().qat().activationBits()
                            + " activations, no training");
            ModelIO.write(m.withKind(m.kind(), lineage), dir.resolve(e.getKey() + ".dmodel"));
        }
        ctx.console().printf("  ptq: %d variants calibrated on %d rows%n", variants.size(), rows.length);
        result.rows("ptq_calibration_rows", rows.length).metric("ptq_variants", variants.size());
    }

    /** Lineage metadata naming the model quantization started from: the pruned student, else the KD student. */
    private static Map<String, String> sourceLineage(boolean pruned, String technique, String detail) {
        return pruned ? ModelLineage.of("student-pruned", PruneStage.MODEL, Lineage.DERIVED, technique, detail)
                : ModelLineage.of("student", DistillStage.KD_MODEL, Lineage.DERIVED, technique, detail);
    }

    private static float[][] head(float[][] rows, int n) {
        return n >= rows.length ? rows : java.util.Arrays.copyOf(rows, n);
    }

    /** The PTQ model files the stage wrote, in name order. */
    static List<Path> ptqModels(Path stageDir) {
        Path dir = stageDir.resolve(PTQ_DIR);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".dmodel")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
