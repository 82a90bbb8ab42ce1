package dev.distillery.jobs.stage;

import dev.distillery.core.config.TrainingParams;
import dev.distillery.core.engine.DistillationObjective;
import dev.distillery.core.engine.FakeQuantHooks;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.PruneMaskHooks;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.core.train.EpochStats;
import dev.distillery.core.train.SparkTrainer;
import dev.distillery.core.train.TrainResult;
import dev.distillery.student.prune.MagnitudePruning;
import dev.distillery.student.quant.ActivationRanges;
import dev.distillery.student.quant.Calibration;
import dev.distillery.student.quant.CalibrationMethod;
import dev.distillery.student.quant.IntegerConverter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Quantization-aware fine-tuning under the distillation loss: symmetric per-channel weight fake quantization,
 * asymmetric activation fake quantization whose ranges start from calibration and follow an exponential moving
 * average after every epoch (frozen after the last), straight-through estimator; a pruned source keeps its zeros.
 */
final class QatFineTuning {
    private QatFineTuning() {
    }

    /** Fine-tunes {@code source}, writes {@link QatStage#MODEL} and its history, and adds its metrics and model. */
    static void run(StageContext ctx, ModelArtifact source, float[][] calibration, Path workDir, StageResult result) {
        var cfg = ctx.config();
        var qatCfg = cfg.qat();
        boolean pruned = cfg.prune().enabled();
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
        meta.putAll(QatStage.sourceLineage(pruned, "qat", "quantization-aware training: int" + bestQuant.weightBits()
                + " weights" + (bestQuant.depthwiseWeightBits() != bestQuant.weightBits()
                ? " (depthwise int" + bestQuant.depthwiseWeightBits() + ")" : "") + ", int"
                + bestQuant.activationBits() + " activations, " + qatCfg.calibration() + " calibration, "
                + qatCfg.epochs() + " epoch(s) under the distillation loss, best epoch " + bestEpoch));
        ModelArtifact qat = best.withQuant(bestQuant).withKind(DistillStage.KIND, meta);
        ModelIO.write(qat, QatStage.MODEL.in(workDir));
        TrainResult summary = new TrainResult(qat, bestEpoch, bestAccuracy, history, trainRows, seconds);
        TrainingSummary.write(workDir.resolve("history.json"), summary);
        TrainingSummary.metrics(result, "qat", summary).rows("calibration_rows", calibration.length)
                .model("model", "student-qat", KIND, QatStage.MODEL);
    }

    /** The kind the qat manifest gives the fine-tuned model (export turns it into the student-int variant). */
    static final String KIND = "qat";
}
