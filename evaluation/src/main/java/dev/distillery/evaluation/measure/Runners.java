package dev.distillery.evaluation.measure;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.InferenceRunner;
import dev.distillery.core.engine.Network;
import dev.distillery.core.engine.RuntimeOptions;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.student.onnx.OnnxExporter;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.runtime.IntegerRuntime;

/** The runtimes Distillery measures: its float network engine (SameDiff), its integer runtime, and ONNX Runtime. */
public final class Runners {
    public static final String SAMEDIFF = "samediff";
    public static final String ONNXRUNTIME = "onnxruntime";
    public static final String INTEGER = "integer-java";

    private Runners() {
    }

    /** The float model on the network engine Distillery trains with (SameDiff). */
    public static InferenceRunner sameDiff(ModelArtifact model) {
        Network net = Engines.network().forInference(model.architecture(), model.params(), GraphHooks.NONE);
        return new InferenceRunner() {
            @Override
            public String runtime() {
                return SAMEDIFF;
            }

            @Override
            public float[][] logits(float[][] batch) {
                return net.logits(batch);
            }
        };
    }

    /** The integer model in Distillery's pure-Java integer runtime. */
    public static InferenceRunner integer(IntegerModel model) {
        IntegerRuntime runtime = new IntegerRuntime(model);
        return new InferenceRunner() {
            @Override
            public String runtime() {
                return INTEGER;
            }

            @Override
            public float[][] logits(float[][] batch) {
                return runtime.logits(batch);
            }
        };
    }

    /** The float model exported to ONNX (as the export stage writes it) and run by ONNX Runtime's CPU provider. */
    public static InferenceRunner onnx(ModelArtifact model) {
        return onnx(model, RuntimeOptions.DEFAULT);
    }

    /** As {@link #onnx(ModelArtifact)}, with the threads ONNX Runtime may use. */
    public static InferenceRunner onnx(ModelArtifact model, RuntimeOptions options) {
        return Engines.runtime(ONNXRUNTIME).load(OnnxExporter.toBytes(model), "the ONNX export of " + model.kind(),
                options);
    }

    /** The integer model exported as an ONNX QDQ graph (as the export stage writes it), run by ONNX Runtime. */
    public static InferenceRunner onnxQdq(IntegerModel model) {
        return onnx(dev.distillery.student.onnx.OnnxQdqExporter.toBytes(model), "the ONNX QDQ export of "
                + model.architecture().name());
    }

    private static InferenceRunner onnx(byte[] bytes, String what) {
        return Engines.runtime(ONNXRUNTIME).load(bytes, what);
    }
}
