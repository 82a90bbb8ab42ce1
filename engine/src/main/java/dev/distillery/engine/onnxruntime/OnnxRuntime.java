package dev.distillery.engine.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.distillery.core.engine.InferenceRunner;
import dev.distillery.core.engine.InferenceRuntime;
import dev.distillery.core.error.DataContractException;

import java.util.Map;

/** ONNX Runtime's CPU provider behind Distillery's inference interface: one session per loaded model. */
public final class OnnxRuntime implements InferenceRuntime {
    public static final String ID = "onnxruntime";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public InferenceRunner load(byte[] bytes, String what) {
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
            return ID;
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
