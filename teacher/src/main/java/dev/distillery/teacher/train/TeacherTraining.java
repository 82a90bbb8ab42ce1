package dev.distillery.teacher.train;

import dev.distillery.core.augment.ViewAugmenter;
import dev.distillery.core.config.AugmentConfig;
import dev.distillery.core.config.PipelineConfig;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.Examples;
import dev.distillery.core.data.TrainRows;
import dev.distillery.core.engine.CrossEntropyObjective;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ParamInit;
import dev.distillery.core.train.SparkTrainer;
import dev.distillery.core.train.TrainResult;
import dev.distillery.core.train.TrainSpec;
import dev.distillery.core.train.TrainingListener;
import dev.distillery.teacher.arch.TeacherArchitecture;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Trains the teacher on the prepared training split with Spark data parallelism and cross-entropy, on a fresh
 * augmented view of every example each epoch when {@code teacher.augment} is set.
 */
public final class TeacherTraining {
    public static final String KIND = "teacher";

    private TeacherTraining() {
    }

    public static TrainResult train(PipelineConfig cfg, SparkSession spark, Path preparedDir,
                                    List<TrainingListener> listeners, dev.distillery.core.train.ResumePoint resume) {
        DatasetInfo info = Examples.info(preparedDir);
        Architecture arch = TeacherArchitecture.of(cfg.teacher(), info);
        return train(cfg, spark, preparedDir, listeners, resume, new ModelArtifact(KIND, arch,
                ParamInit.he(arch, cfg.seed()), Map.of(), null));
    }

    /** Trains from {@code start}'s architecture and parameters (a teacher translated from ONNX, say). */
    public static TrainResult train(PipelineConfig cfg, SparkSession spark, Path preparedDir,
                                    List<TrainingListener> listeners, dev.distillery.core.train.ResumePoint resume,
                                    ModelArtifact start) {
        Map<String, String> meta = new java.util.LinkedHashMap<>(start.metadata());
        meta.put("config_hash", cfg.hashOf("seed", "data", "teacher", "spark"));
        ModelArtifact init = new ModelArtifact(KIND, start.architecture(), start.params(), meta, null);
        var validation = Examples.collect(Examples.load(spark, preparedDir, Examples.VALIDATION));
        var rows = TrainRows.hardLabels(Examples.load(spark, preparedDir, Examples.TRAIN));
        AugmentConfig augment = cfg.teacher().augment();
        ViewAugmenter augmenter = null;
        if (augment.any()) {
            DatasetInfo info = Examples.info(preparedDir);
            augmenter = new ViewAugmenter("teacher.augment", augment, cfg.seed(), info.channels(), info.height(),
                    info.width());
        }
        TrainSpec spec = new TrainSpec("teacher", cfg.teacher().training(), cfg.spark().workers(),
                cfg.spark().averagingFrequency(), cfg.seed(), cfg.spark().syncOptimizerEveryRound(),
                cfg.spark().learningRateScale(), augmenter);
        return SparkTrainer.train(spark, rows, validation, init, GraphHooks.NONE, new CrossEntropyObjective(), spec,
                listeners, resume);
    }
}
