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
import dev.distillery.student.onnx.OnnxExporter;
import dev.distillery.teacher.label.LabelSpec;
import dev.distillery.teacher.label.SoftLabeler;
import dev.distillery.teacher.label.TeacherModel;
import dev.distillery.teacher.onnx.OnnxTeacherFile;
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
import java.util.Map;
import java.util.function.Supplier;

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
    /** Prepared rows the engine check and an ONNX teacher's dry run use. */
    static final int ENGINE_CHECK_ROWS = 64;

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
        List<Path> in = new ArrayList<>(List.of(PrepareStage.OUTPUT.dir(ctx)));
        in.addAll(Teachers.inputs(ctx));
        for (String t : ctx.config().label().teachers()) {
            in.add(ctx.resolve(t));
        }
        return in;
    }

    @Override
    public Map<String, String> remoteInputs(StageContext ctx) {
        return Teachers.remoteDigests(ctx);
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

    /** A teacher as labelling runs it, and what the soft-label metadata records of it. */
    record Labeller(TeacherModel model, TeacherIdentity identity) {
        String engine() {
            return model.engine().id();
        }
    }

    /**
     * The run's own teacher (train-teacher's model, or the ONNX model of {@code teacher.onnx}) followed by any extra
     * teachers of the ensemble, each checked to fit the prepared data. A Distillery teacher runs in the engine
     * {@code label.engine} names; for ONNX Runtime it runs the ONNX export train-teacher checked and kept beside it
     * ({@link TeacherExport}), or, where there is none, is exported here and its logits on {@code sample} must match
     * SameDiff's within {@value #ENGINE_TOLERANCE}. An ONNX teacher passes a dry run on the sample. The sample is
     * read only when a check needs it.
     */
    static List<Labeller> teachers(StageContext ctx, DatasetInfo info, Supplier<float[][]> sample) {
        List<Labeller> out = new ArrayList<>();
        if (Teachers.onnx(ctx)) {
            OnnxTeacherFile file = Teachers.onnxFile(ctx, info);
            TeacherModel model = Teachers.model(ctx, file, info);
            float[][] rows = sample.get();
            Teachers.dryRun(model, file.location(), java.util.Arrays.copyOf(rows,
                    Math.min(rows.length, Teachers.DRY_RUN_ROWS)), info.numClasses());
            out.add(new Labeller(model, new TeacherIdentity(file.sha256(), "onnx:" + file.fileName(),
                    file.parameters(), file.location())));
        } else {
            out.add(distillery(ctx, TrainTeacherStage.MODEL.path(ctx), info, sample));
        }
        for (String t : ctx.config().label().teachers()) {
            out.add(distillery(ctx, ctx.resolve(t), info, sample));
        }
        return out;
    }

    /**
     * Largest difference allowed between a Distillery teacher's logits in ONNX Runtime and in SameDiff (relative for
     * logits larger than 1, see {@link Teachers#largestDifference}).
     */
    static final double ENGINE_TOLERANCE = 1e-4;

    private static Labeller distillery(StageContext ctx, Path file, DatasetInfo info, Supplier<float[][]> sample) {
        ModelArtifact m = ModelIO.read(file, TeacherTraining.KIND);
        var a = m.architecture();
        if (a.channels() != info.channels() || a.height() != info.height() || a.width() != info.width()
                || a.numClasses() != info.numClasses()) {
            throw new DataContractException("teacher " + file + " takes " + a.channels() + "x" + a.height() + "x"
                    + a.width() + " inputs into " + a.numClasses() + " classes; the prepared data has "
                    + info.channels() + "x" + info.height() + "x" + info.width() + " into " + info.numClasses());
        }
        String sha = ManifestIO.sha256(file);
        TeacherIdentity id = new TeacherIdentity(sha, a.name(), a.parameterCount(), file.toString());
        if (!"onnxruntime".equals(ctx.config().label().engine())) {
            return new Labeller(TeacherModel.sameDiff(m), id);
        }
        var kept = TeacherExport.checked(m, file, sha);
        if (kept.isPresent()) {
            ctx.console().printf("  teacher %s runs in ONNX Runtime from the export train-teacher checked against "
                    + "SameDiff%n", file.getFileName());
            return new Labeller(kept.get(), id);
        }
        byte[] bytes = OnnxExporter.toBytes(m);
        TeacherModel onnx = TeacherExport.model(m, bytes, ManifestIO.sha256(bytes));
        float[][] rows = sample.get();
        if (rows.length > 0) {
            double worst = TeacherExport.engineDifference(m, onnx, rows);
            if (!(worst <= ENGINE_TOLERANCE)) {
                throw new DataContractException("teacher " + file + " exported to ONNX gives logits up to " + worst
                        + " away from SameDiff's on " + rows.length + " prepared rows (allowed: " + ENGINE_TOLERANCE
                        + "); set label.engine: samediff to label with SameDiff");
            }
        }
        ctx.console().printf("  teacher %s exported to ONNX and checked against SameDiff on %d prepared rows%n",
                file, rows.length);
        return new Labeller(onnx, id);
    }

    /** The prepared rows label labels: the training and validation splits under {@code examples}. */
    static Dataset<Row> labelledRows(org.apache.spark.sql.SparkSession spark, Path examples) {
        return spark.read().parquet(examples.toString()).where(col("split").notEqual(Examples.TEST));
    }

    /**
     * Up to {@code n} prepared rows' features, for the engine check and the dry run; rows of another length or with a
     * NaN or infinite feature are left out here, since the labelling pass reports them with every bad row counted.
     */
    static float[][] sample(Dataset<Row> rows, int n, DatasetInfo info) {
        int width = info.channels() * info.height() * info.width();
        // a plain limit: Spark reads the first partition (more only if it holds too few), no sort and no shuffle
        return rows.select("features").limit(n).collectAsList().stream()
                .map(r -> dev.distillery.core.data.Rows.floats(r, 0))
                .filter(f -> f.length == width && finite(f)).toArray(float[][]::new);
    }

    static <T> Supplier<T> memoized(Supplier<T> supplier) {
        return new Supplier<>() {
            private T value;

            @Override
            public T get() {
                if (value == null) {
                    value = supplier.get();
                }
                return value;
            }
        };
    }

    private static boolean finite(float[] f) {
        for (float v : f) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }


    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        Path prepared = PrepareStage.OUTPUT.dir(ctx);
        DatasetInfo info = Examples.info(prepared);
        Path examples = prepared.resolve(Examples.PARQUET_DIR);
        if (!Files.isDirectory(examples)) {
            throw new DataContractException("prepared examples " + examples + " do not exist; run the prepare stage");
        }
        LabelConfig cfg = ctx.config().label();
        ViewAugmenter augmenter = new ViewAugmenter(cfg.augment(), ctx.config().seed(), info.channels(), info.height(),
                info.width());
        Dataset<Row> rows;
        SoftLabeler.Written written;
        List<Labeller> teachers;
        SoftLabelMetadata meta;
        LabelSpec spec;
        try {
            rows = labelledRows(ctx.spark(), examples);
            teachers = teachers(ctx, info, memoized(() -> sample(rows, ENGINE_CHECK_ROWS, info)));
        } catch (Exception e) {     // Spark throws its checked SparkException undeclared
            throw corrupt(e, examples);
        }
        meta = metadata(ctx, teachers, info);
        spec = new LabelSpec(ctx.config().teacher().labelBatchSize(), cfg.ensemble(), cfg.views(), augmenter, meta);
        try {
            // the input is checked (feature count, NaN and infinities) in the labelling pass itself
            written = SoftLabeler.write(ctx.spark(), models(teachers), rows, spec, PARQUET.in(workDir));
        } catch (Exception e) {     // Spark throws its checked SparkException undeclared
            throw corrupt(e, examples);
        }
        writeJson(META.in(workDir), meta);
        StageResult result = new StageResult().rows("examples", written.examples())
                .rows("soft_labels", written.rows())
                .metric("storage", meta.storage()).metric("views", cfg.views()).metric("teachers", teachers.size())
                .metric("engine", String.join(",", teachers.stream().map(Labeller::engine).distinct().toList()))
                .output("labels", PARQUET.name()).output("metadata", META.name());
        if (teachers.size() > 1 && cfg.compareSingleTeacher()) {
            // The first teacher alone, same rows, views and storage: one more inference pass of one teacher.
            List<Labeller> first = teachers.subList(0, 1);
            SoftLabelMetadata single = metadata(ctx, first, info);
            long singleRows = SoftLabeler.write(ctx.spark(), models(first), rows, new LabelSpec(spec.batchSize(),
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

    private static List<TeacherModel> models(List<Labeller> teachers) {
        return teachers.stream().map(Labeller::model).toList();
    }

    private static SoftLabelMetadata metadata(StageContext ctx, List<Labeller> teachers, DatasetInfo info) {
        LabelConfig cfg = ctx.config().label();
        StorageMode mode = StorageMode.of(cfg.storage());
        List<TeacherIdentity> ids = teachers.stream().map(Labeller::identity).toList();
        List<String> classNames = info.classNames();
        int numClasses = info.numClasses();
        return new SoftLabelMetadata(SoftLabelMetadata.FORMAT, mode.id(),
                mode == StorageMode.TOP_K ? cfg.topK() : numClasses, mode.dtype(), numClasses,
                classNames, cfg.temperatureHint(), ctx.config().hashOf(LabelStage.SECTIONS), ids,
                teachers.size() > 1 ? cfg.ensemble() : "none", cfg.views(), cfg.augment(), ctx.config().seed(),
                List.of(info.channels(), info.height(), info.width()));
    }
}
