package dev.distillery.jobs.stage;

import dev.distillery.core.config.OnnxTeacherConfig;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.engine.Engines;
import dev.distillery.core.engine.InferenceRunner;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.teacher.label.TeacherModel;
import dev.distillery.teacher.onnx.OnnxTeacherFile;
import dev.distillery.teacher.onnx.OnnxTranslation;
import dev.distillery.teacher.train.TeacherTraining;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the run's teacher comes from: the model train-teacher wrote, or (with {@code teacher.source: onnx}) an ONNX
 * model trained elsewhere, read from a local path or any Hadoop file system URI.
 */
final class Teachers {
    /** Rows of the dry run an ONNX teacher passes before any work. */
    static final int DRY_RUN_ROWS = 8;

    private Teachers() {
    }

    static boolean onnx(StageContext ctx) {
        return ctx.config().teacher().fromOnnx();
    }

    /** The ONNX model's location as given: a URI with a scheme other than {@code file}, or a resolved local path. */
    static String location(StageContext ctx) {
        String model = ctx.config().teacher().onnx().model();
        return remote(model) ? model : localPath(ctx, model).toString();
    }

    private static boolean remote(String model) {
        try {
            String scheme = URI.create(model).getScheme();
            return scheme != null && scheme.length() > 1 && !"file".equals(scheme);
        } catch (IllegalArgumentException e) {
            return false;   // not a URI (a Windows path, spaces): a local path
        }
    }

    private static Path localPath(StageContext ctx, String model) {
        if (!model.startsWith("file:")) {
            return ctx.resolve(model);
        }
        try {
            return Path.of(URI.create(model));
        } catch (IllegalArgumentException e) {
            throw new dev.distillery.core.error.InvalidConfigException("teacher.onnx.model " + model + " is not a "
                    + "usable file: URI (" + e.getMessage() + "); write file:/absolute/path or a plain path");
        }
    }

    /** The files a stage reading the teacher depends on: train-teacher's folder, or a local ONNX file. */
    static List<Path> inputs(StageContext ctx) {
        return onnx(ctx) ? onnxInputs(ctx) : List.of(TrainTeacherStage.OUTPUT.dir(ctx));
    }

    /** The ONNX model file if it is local; a remote one is hashed by {@link #onnxRemoteDigests}. */
    static List<Path> onnxInputs(StageContext ctx) {
        String model = ctx.config().teacher().onnx().model();
        return remote(model) ? List.of() : List.of(localPath(ctx, model));
    }

    /** A remote ONNX teacher's SHA-256 under its URI, for the manifest (a local file is hashed as an input). */
    static Map<String, String> remoteDigests(StageContext ctx) {
        return onnx(ctx) ? onnxRemoteDigests(ctx) : Map.of();
    }

    static Map<String, String> onnxRemoteDigests(StageContext ctx) {
        if (!remote(ctx.config().teacher().onnx().model())) {
            return Map.of();
        }
        String uri = location(ctx);
        return Map.of(uri, ManifestIO.sha256(read(ctx, uri)));
    }

    /**
     * The ONNX teacher translated into Distillery's layers, accepted only if its logits in SameDiff match ONNX
     * Runtime's on the original within {@link LabelStage#ENGINE_TOLERANCE} on up to 64 prepared validation rows.
     */
    static ModelArtifact translated(StageContext ctx) {
        Path prepared = PrepareStage.OUTPUT.dir(ctx);
        DatasetInfo info = dev.distillery.core.data.Examples.info(prepared);
        OnnxTeacherFile file = onnxFile(ctx, info);
        ModelArtifact m = OnnxTranslation.translate(file, TeacherTraining.KIND, info.channels(), info.height(),
                info.width(), info.numClasses());
        float[][] sample = LabelStage.sample(dev.distillery.core.data.Examples.load(ctx.spark(), prepared,
                dev.distillery.core.data.Examples.VALIDATION), LabelStage.ENGINE_CHECK_ROWS, info);
        if (sample.length == 0) {
            throw new DataContractException("teacher.onnx.translate needs prepared validation rows to check the "
                    + "translation against ONNX Runtime; the prepared data has none that are valid");
        }
        double worst = largestDifference(model(ctx, file, info).open().logits(sample),
                TeacherModel.sameDiff(m).open().logits(sample));
        if (!(worst <= LabelStage.ENGINE_TOLERANCE)) {
            throw new DataContractException("teacher.onnx.model " + file.location() + " translated into "
                    + m.architecture().name() + " gives logits up to " + worst + " away from ONNX Runtime's on "
                    + sample.length + " prepared rows (allowed: " + LabelStage.ENGINE_TOLERANCE + "); the translation "
                    + "is refused: set teacher.onnx.translate: false to label with the model as it is");
        }
        return m;
    }


    /** The ONNX teacher's file, parsed and checked against the prepared data's shape and classes. */
    static OnnxTeacherFile onnxFile(StageContext ctx, DatasetInfo info) {
        String where = location(ctx);
        OnnxTeacherFile file = OnnxTeacherFile.parse(where, read(ctx, where));
        file.requireFits(layout(ctx), info.channels(), info.height(), info.width(), info.numClasses());
        return file;
    }

    static TeacherModel.Layout layout(StageContext ctx) {
        OnnxTeacherConfig onnx = ctx.config().teacher().onnx();
        return TeacherModel.Layout.valueOf(onnx.layout().toUpperCase(java.util.Locale.ROOT));
    }

    static TeacherModel model(StageContext ctx, OnnxTeacherFile file, DatasetInfo info) {
        return TeacherModel.onnx("onnx:" + file.fileName(), file.bytes(), file.sha256(), layout(ctx), info.channels(),
                info.height(), info.width());
    }

    /**
     * Runs the teacher on a few prepared rows before any work: ONNX Runtime must load it and return {@code classes}
     * finite logits per row.
     */
    static void dryRun(TeacherModel teacher, String where, float[][] rows, int classes) {
        if (rows.length == 0) {
            return;     // no valid prepared row: the labelling pass reports the bad rows
        }
        float[][] out;
        try {
            out = teacher.open().logits(rows);
        } catch (DataContractException e) {
            throw new DataContractException("teacher.onnx.model " + where + " failed its dry run on " + rows.length
                    + " prepared rows: " + e.getMessage(), e);
        }
        if (out.length != rows.length || out[0].length != classes) {
            throw new DataContractException("teacher.onnx.model " + where + " returned " + out.length + " rows of "
                    + (out.length == 0 ? 0 : out[0].length) + " values for " + rows.length + " prepared rows; "
                    + "expected " + classes + " logits per row, one per class");
        }
        for (float[] r : out) {
            for (float v : r) {
                if (!Float.isFinite(v)) {
                    throw new DataContractException("teacher.onnx.model " + where + " returned a non-finite logit ("
                            + v + ") in its dry run on prepared rows");
                }
            }
        }
    }

    /**
     * The largest difference between two engines' logits for the same rows, absolute for logits up to 1 in size and
     * relative above (float32 engines sum in different orders, so large logits differ in their last digits).
     */
    static double largestDifference(float[][] expected, float[][] actual) {
        double worst = 0;
        for (int r = 0; r < expected.length; r++) {
            for (int c = 0; c < expected[r].length; c++) {
                double scale = Math.max(1, Math.abs(expected[r][c]));
                worst = Math.max(worst, Math.abs(expected[r][c] - actual[r][c]) / scale);
            }
        }
        return worst;
    }

    /** The bytes at a local path or Hadoop file system URI. */
    static byte[] read(StageContext ctx, String where) {
        try {
            if (!remote(where)) {
                Path p = Path.of(where);
                if (!Files.isRegularFile(p)) {
                    throw new DataContractException("teacher.onnx.model " + where + " does not exist or is not a "
                            + "file");
                }
                return Files.readAllBytes(p);
            }
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(where);
            var fs = p.getFileSystem(ctx.spark().sparkContext().hadoopConfiguration());
            if (!fs.isFile(p)) {
                throw new DataContractException("teacher.onnx.model " + where + " does not exist or is not a file");
            }
            try (InputStream in = fs.open(p)) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new DataContractException("teacher.onnx.model " + where + " could not be read: " + e.getMessage(),
                    e);
        }
    }

    /**
     * The ONNX teacher in ONNX Runtime with the runtime's own thread settings, as evaluate measures every float
     * model; rows arrive flattened CHW and are re-ordered for an NHWC input.
     */
    static InferenceRunner runner(StageContext ctx, OnnxTeacherFile file, DatasetInfo info) {
        InferenceRunner ort = Engines.runtime(TeacherModel.Engine.ONNXRUNTIME.id()).load(file.bytes(),
                "teacher " + file.location());
        if (layout(ctx) == TeacherModel.Layout.NCHW) {
            return ort;
        }
        return new InferenceRunner() {
            @Override
            public String runtime() {
                return ort.runtime();
            }

            @Override
            public float[][] logits(float[][] batch) {
                return ort.logits(TeacherModel.toHwc(batch, info.channels(), info.height(), info.width()));
            }

            @Override
            public void close() {
                ort.close();
            }
        };
    }
}
