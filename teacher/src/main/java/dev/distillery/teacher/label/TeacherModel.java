package dev.distillery.teacher.label;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.InferenceRunner;
import dev.distillery.core.engine.Network;
import dev.distillery.core.engine.RuntimeOptions;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;

import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A teacher as labelling ships it to executors: either a Distillery model run by the network engine (SameDiff), or
 * an ONNX graph run by ONNX Runtime. An ONNX graph is either a Distillery teacher exported for labelling or a model
 * trained elsewhere; {@code layout} says how its input takes the prepared rows, which are flattened channel-major
 * (CHW).
 *
 * @param name   what errors and metadata call it
 * @param bytes  the Distillery model file's bytes, or the ONNX model's
 * @param sha256 the bytes' SHA-256, computed once on the driver: it keys the ONNX Runtime session every task of an
 *               executor shares, so that no task hashes the model again
 * @param shape  channels, height and width of a prepared row
 */
public record TeacherModel(String name, Engine engine, byte[] bytes, String sha256, Layout layout, int[] shape)
        implements Serializable {

    /** What runs the teacher. */
    public enum Engine {
        SAMEDIFF("samediff"), ONNXRUNTIME("onnxruntime");

        private final String id;

        Engine(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Engine of(String id) {
            for (Engine e : values()) {
                if (e.id.equals(id)) {
                    return e;
                }
            }
            throw new IllegalArgumentException("unknown engine " + id);
        }
    }

    /** How an ONNX teacher's input holds an image: channels first (or flat rows) or channels last. */
    public enum Layout {
        NCHW, NHWC
    }

    /** ONNX Runtime sessions of this JVM, one per model (by content), kept for the JVM's life. */
    private static final Map<String, InferenceRunner> SESSIONS = new ConcurrentHashMap<>();

    public TeacherModel {
        if (shape == null || shape.length != 3) {
            throw new IllegalArgumentException("a teacher's row shape is channels, height and width");
        }
    }

    /** A Distillery teacher run by the network engine. */
    public static TeacherModel sameDiff(ModelArtifact model) {
        var a = model.architecture();
        byte[] bytes = ModelIO.toBytes(model);
        return new TeacherModel(a.name(), Engine.SAMEDIFF, bytes, ManifestIO.sha256(bytes), Layout.NCHW,
                new int[]{a.channels(), a.height(), a.width()});
    }

    /** An ONNX graph run by ONNX Runtime, one intra-op thread per calling task, no spinning. */
    public static TeacherModel onnx(String name, byte[] onnx, Layout layout, int channels, int height, int width) {
        return onnx(name, onnx, ManifestIO.sha256(onnx), layout, channels, height, width);
    }

    /** As above, for bytes whose SHA-256 is already known (an ONNX teacher's file, hashed when it was checked). */
    public static TeacherModel onnx(String name, byte[] onnx, String sha256, Layout layout, int channels, int height,
                                    int width) {
        return new TeacherModel(name, Engine.ONNXRUNTIME, onnx, sha256, layout, new int[]{channels, height, width});
    }

    /** Something that turns rows into logits, built where it runs (an executor, the driver). */
    public interface Inference {
        float[][] logits(float[][] rows);
    }

    /**
     * The model ready to run in this JVM. A SameDiff network belongs to the caller (one per task); an ONNX Runtime
     * session is shared by every task of the JVM, each call running on its task's thread.
     */
    public Inference open() {
        if (engine == Engine.SAMEDIFF) {
            ModelArtifact m = ModelIO.fromBytes(bytes, "teacher " + name);
            Network net = Engines.network().forInference(m.architecture(), m.params(), GraphHooks.NONE);
            return net::logits;
        }
        InferenceRunner runner = SESSIONS.computeIfAbsent(sha256, k -> Engines.runtime(Engine.ONNXRUNTIME.id())
                .load(bytes, "teacher " + name, RuntimeOptions.PER_TASK));
        if (layout == Layout.NCHW) {
            return runner::logits;
        }
        return rows -> runner.logits(toHwc(rows, shape[0], shape[1], shape[2]));
    }

    /** Rows flattened CHW, re-ordered HWC. */
    public static float[][] toHwc(float[][] rows, int c, int h, int w) {
        if (c == 1) {
            return rows;    // one channel: the orders coincide
        }
        float[][] out = new float[rows.length][];
        int plane = h * w;
        for (int r = 0; r < rows.length; r++) {
            float[] src = rows[r];
            float[] dst = new float[src.length];
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < plane; p++) {
                    dst[p * c + ch] = src[ch * plane + p];
                }
            }
            out[r] = dst;
        }
        return out;
    }
}
