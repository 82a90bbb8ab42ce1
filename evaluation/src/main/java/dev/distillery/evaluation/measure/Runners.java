package dev.distillery.evaluation.measure;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.nn.GraphHooks;
import dev.distillery.core.nn.SameDiffNet;
import dev.distillery.student.onnx.OnnxExporter;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.runtime.IntegerRuntime;

import java.util.Map;

/** The runtimes Distillery measures: its SameDiff float graph, its integer runtime, and ONNX Runtime. */
public final class Runners {
    public static final String SAMEDIFF = "samediff";
    public static final String ONNXRUNTIME = "onnxruntime";
    public static final String INTEGER = "integer-java";

    private Runners() {
    }

    /** The float model as a SameDiff graph, the engine Distillery trains with. */
    public static InferenceRunner sameDiff(ModelArtifact model) {
        SameDiffNet net = SameDiffNet.forInference(model.architecture(), model.params(), GraphHooks.NONE);
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
        return onnx(OnnxExporter.toBytes(model), "the ONNX export of " + model.kind());
    }

    /** The integer model exported as an ONNX QDQ graph (as the export stage writes it), run by ONNX Runtime. */
    public static InferenceRunner onnxQdq(IntegerModel model) {
        return onnx(dev.distillery.student.onnx.OnnxQdqExporter.toBytes(model), "the ONNX QDQ export of "
                + model.architecture().name());
    }

    private static InferenceRunner onnx(byte[] bytes, String what) {
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            OrtSession session = env.createSession(bytes, options);
            String input = session.getInputNames().iterator().next();
            return new OnnxRunner(env, session, options, input);
        } catch (OrtException e) {
            throw new DataContractException("ONNX Runtime could not load " + what + ": " + e.getMessage(), e);
        }
    }

    private record OnnxRunner(OrtEnvironment env, OrtSession session, OrtSession.SessionOptions options,
                              String input) implements InferenceRunner {
        @Override
        public String runtime() {
            return ONNXRUNTIME;
        }

        @Override
        public float[][] logits(float[][] batch) {
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, batch);
                 OrtSession.Result result = session.run(Map.of(input, tensor))) {
                return (float[][]) result.get(0).getValue();
            } catch (OrtException e) {
                throw new DataContractException("ONNX Runtime failed on a batch of " + batch.length + ": "
                        + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException e) {
                // Closing a session only frees native memory; nothing a report reader could act on.
            }
            options.close();
        }
    }
}
