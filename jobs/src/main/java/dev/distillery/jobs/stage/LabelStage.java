package dev.distillery.jobs.stage;

import dev.distillery.core.augment.ViewAugmenter;
import dev.distillery.core.config.LabelConfig;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.Examples;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.labels.SoftLabelMetadata;
import dev.distillery.core.labels.StorageMode;
import dev.distillery.core.labels.TeacherIdentity;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.spark.SparkFailures;
import dev.distillery.teacher.label.LabelSpec;
import dev.distillery.teacher.label.SoftLabeler;
import dev.distillery.teacher.train.TeacherTraining;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * label: the teacher's (or an ensemble's) raw logits for every train and validation row, and for each augmented
 * view of a training row, as self-describing Parquet in the configured storage mode (see docs/soft-labels.md).
 * With an ensemble and {@code label.compare_single_teacher}, also the run's own teacher's logits alone, in the
 * same contract, so that distill can train a single-teacher student to set against the ensemble one.
 */
public final class LabelStage implements Stage {
    public static final StageFolder OUTPUT = new StageFolder("soft-labels");
    public static final StageFile PARQUET = OUTPUT.file("labels");
    public static final StageFile META = OUTPUT.file("soft-labels.json");
    /** The run's own teacher's soft labels beside an ensemble's. */
    public static final StageFile SINGLE_TEACHER_PARQUET = OUTPUT.file("labels-single-teacher");
    public static final StageFile SINGLE_TEACHER_META = OUTPUT.file("soft-labels-single-teacher.json");
    static final String[] SECTIONS = {"seed", "teacher", "label"};

    @Override
    public String name() {
        return "label";
    }

    @Override
    public StageFolder output() {
        return OUTPUT;
    }

    @Override
    public List<String> configSections() {
        return List.of(SECTIONS);
    }

    @Override
    public List<Path> inputs(StageContext ctx) {
        List<Path> in = new ArrayList<>(List.of(PrepareStage.OUTPUT.dir(ctx), TrainTeacherStage.OUTPUT.dir(ctx)));
        for (String t : ctx.config().label().teachers()) {
            in.add(ctx.resolve(t));
        }
        return in;
    }

    @Override
    public void validate(StageContext ctx) {
        Path prepared = PrepareStage.OUTPUT.dir(ctx);
        if (!Files.exists(prepared.resolve(Examples.INFO_FILE))) {
            return;     // the runner reports the missing input
        }
        DatasetInfo info = Examples.info(prepared);
        LabelConfig cfg = ctx.config().label();
        if ("top-k".equals(cfg.storage()) && cfg.topK() > info.numClasses()) {
            throw new InvalidConfigException("label.top_k must be <= the number of classes (" + info.numClasses()
                    + "), was " + cfg.topK());
        }
        new ViewAugmenter(cfg.augment(), ctx.config().seed(), info.channels(), info.height(), info.width());
    }

    /** The run's own teacher followed by any extra teachers of the ensemble, each checked to fit the first. */
    static List<ModelArtifact> teachers(StageContext ctx) {
        List<ModelArtifact> out = new ArrayList<>();
        out.add(ModelIO.read(TrainTeacherStage.MODEL.path(ctx), TeacherTraining.KIND));
        for (String t : ctx.config().label().teachers()) {
            Path file = ctx.resolve(t);
            ModelArtifact m = ModelIO.read(file, TeacherTraining.KIND);
            var first = out.get(0).architecture();
            if (m.architecture().inputSize() != first.inputSize() || m.architecture().numClasses() != first.numClasses()) {
                throw new DataContractException("ensemble teacher " + file + " takes " + m.architecture().inputSize()
                        + " features into " + m.architecture().numClasses() + " classes; the run's teacher takes "
                        + first.inputSize() + " into " + first.numClasses());
            }
            out.add(m);
        }
        return out;
    }

    static List<Path> teacherFiles(StageContext ctx) {
        List<Path> files = new ArrayList<>(List.of(TrainTeacherStage.MODEL.path(ctx)));
        ctx.config().label().teachers().forEach(t -> files.add(ctx.resolve(t)));
        return files;
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        List<ModelArtifact> teachers = teachers(ctx);
        Path prepared = PrepareStage.OUTPUT.dir(ctx);
        DatasetInfo info = Examples.info(prepared);
        Path examples = prepared.resolve(Examples.PARQUET_DIR);
        if (!Files.isDirectory(examples)) {
            throw new DataContractException("prepared examples " + examples + " do not exist; run the prepare stage");
        }
        LabelConfig cfg = ctx.config().label();
        SoftLabelMetadata meta = metadata(ctx, teachers, info);
        ViewAugmenter augmenter = new ViewAugmenter(cfg.augment(), ctx.config().seed(), info.channels(), info.height(),
                info.width());
        LabelSpec spec = new LabelSpec(ctx.config().teacher().labelBatchSize(), cfg.ensemble(), cfg.views(), augmenter,
                meta);
        Dataset<Row> rows;
        SoftLabeler.Written written;
        try {
            // the input is checked (feature count, NaN and infinities) in the labelling pass itself
            rows = ctx.spark().read().parquet(examples.toString()).where(col("split").notEqual(Examples.TEST));
            written = SoftLabeler.write(ctx.spark(), teachers, rows, spec, PARQUET.in(workDir));
        } catch (Exception e) {     // Spark throws its checked SparkException undeclared
            throw corrupt(e, examples);
        }
        writeJson(META.in(workDir), meta);
        StageResult result = new StageResult().rows("examples", written.examples())
                .rows("soft_labels", written.rows())
                .metric("storage", meta.storage()).metric("views", cfg.views()).metric("teachers", teachers.size())
                .output("labels", PARQUET.name()).output("metadata", META.name());
        if (teachers.size() > 1 && cfg.compareSingleTeacher()) {
            // The first teacher alone, same rows, views and storage: one more inference pass of one teacher.
            List<ModelArtifact> first = teachers.subList(0, 1);
            SoftLabelMetadata single = metadata(ctx, first, info);
            long singleRows = SoftLabeler.write(ctx.spark(), first, rows, new LabelSpec(spec.batchSize(),
                    cfg.ensemble(), cfg.views(), augmenter, single), SINGLE_TEACHER_PARQUET.in(workDir)).rows();
            writeJson(SINGLE_TEACHER_META.in(workDir), single);
            ctx.console().printf("  also labelled %d rows with the run's teacher alone, for the single-teacher "
                    + "comparison%n", singleRows);
            result.rows("single_teacher_soft_labels", singleRows)
                    .output("single_teacher_labels", SINGLE_TEACHER_PARQUET.name())
                    .output("single_teacher_metadata", SINGLE_TEACHER_META.name());
        }
        return result;
    }

    private static void writeJson(Path file, SoftLabelMetadata meta) {
        try {
            ManifestIO.json().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), meta);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Parquet file Spark cannot decode is bad input (exit 2), not a transient failure worth retrying. */
    static RuntimeException corrupt(Exception e, Path dir) {
        if (e instanceof RuntimeException r && e instanceof dev.distillery.core.error.DistilleryException) {
            return r;
        }
        String problem = SparkFailures.find(e, SparkFailures.UNREADABLE_FILE).map(SparkFailures.Condition::firstLine)
                .orElse(null);
        for (Throwable t = e; t != null && problem == null; t = t.getCause()) {
            if (t instanceof ParquetDecodingException) {
                problem = t.getMessage();
            }
        }
        if (problem != null) {
            return new DataContractException("prepared examples under " + dir + " hold a corrupt or unreadable "
                    + "Parquet file (" + problem + "); run the prepare stage again", e);
        }
        return e instanceof RuntimeException r ? r : new java.lang.reflect.UndeclaredThrowableException(e);
    }

    private static SoftLabelMetadata metadata(StageContext ctx, List<ModelArtifact> teachers, DatasetInfo info) {
        LabelConfig cfg = ctx.config().label();
        StorageMode mode = StorageMode.of(cfg.storage());
        List<TeacherIdentity> ids = new ArrayList<>();
        List<Path> files = teacherFiles(ctx);
        for (int i = 0; i < teachers.size(); i++) {
            ModelArtifact t = teachers.get(i);
            ids.add(new TeacherIdentity(ManifestIO.sha256(files.get(i)), t.architecture().name(),
                    t.architecture().parameterCount(), files.get(i).toString()));
        }
        List<String> classNames = info.classNames();
        int numClasses = teachers.get(0).architecture().numClasses();
        return new SoftLabelMetadata(SoftLabelMetadata.FORMAT, mode.id(),
                mode == StorageMode.TOP_K ? cfg.topK() : numClasses, mode.dtype(), numClasses,
                classNames, cfg.temperatureHint(), ctx.config().hashOf(LabelStage.SECTIONS), ids,
                teachers.size() > 1 ? cfg.ensemble() : "none", cfg.views(), cfg.augment(), ctx.config().seed(),
                List.of(info.channels(), info.height(), info.width()));
    }
}
