package dev.distillery.engine.onnxruntime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.distillery.core.engine.InferenceRunner;
import dev.distillery.core.engine.InferenceRuntime;
import dev.distillery.core.engine.RuntimeOptions;
import dev.distillery.core.error.DataContractException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * ONNX Runtime's CPU provider behind Distillery's inference interface: one session per loaded model. A runner may be
 * called from several threads at once (ONNX Runtime's sessions are thread-safe); each thread fills its own reused
 * direct buffer, which the input tensor wraps without a copy.
 */
public final class OnnxRuntime implements InferenceRuntime {
    public static final String ID = "onnxruntime";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public InferenceRunner load(byte[] bytes, String what, RuntimeOptions runtime) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            if (runtime.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(runtime.intraOpThreads());
                options.setInterOpNumThreads(1);
            }
            options.addConfigEntry("session.intra_op.allow_spinning", runtime.spinning() ? "1" : "0");
            OrtSession session = env.createSession(bytes, options);
            String input = session.getInputNames().iterator().next();
            NodeInfo info = session.getInputInfo().get(input);
            long[] shape = info.getInfo() instanceof TensorInfo t ? t.getShape() : new long[]{-1, -1};
            return new OnnxRunner(env, session, options, input, shape);
        } catch (OrtException e) {
            options.close();
            throw new DataContractException("ONNX Runtime could not load " + what + ": " + e.getMessage(), e);
        }
    }

    private static final class OnnxRunner implements InferenceRunner {
        private final OrtEnvironment env;
        private final OrtSession session;
        private final OrtSession.SessionOptions options;
        private final String input;
        /** The model's declared input shape; the first dimension is the batch. */
        private final long[] inputShape;
        private final ThreadLocal<FloatBuffer> buffers = new ThreadLocal<>();

        OnnxRunner(OrtEnvironment env, OrtSession session, OrtSession.SessionOptions options, String input,
                   long[] inputShape) {
            this.env = env;
            this.session = session;
            this.options = options;
            this.input = input;
            this.inputShape = inputShape;
        }

        @Override
        public String runtime() {
            return ID;
        }

        @Override
        public float[][] logits(float[][] batch) {
            int rows = batch.length;
            if (rows == 0) {
                return new float[0][];
            }
            int width = batch[0].length;
            FloatBuffer buffer = buffer(rows * width);
            for (float[] row : batch) {
                if (row.length != width) {
                    throw new DataContractException("ONNX Runtime batch rows must all hold " + width
                            + " features, one held " + row.length);
                }
                buffer.put(row);
            }
            buffer.flip();
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, buffer, shapeFor(rows, width));
                 OrtSession.Result result = session.run(Map.of(input, tensor))) {
                OnnxValue value = result.get(0);
                if (!(value instanceof OnnxTensor out)) {
                    throw new DataContractException("ONNX Runtime returned a " + value.getType()
                            + " as the model's first output; expected a tensor of logits");
                }
                FloatBuffer logits = out.getFloatBuffer();
                if (logits == null || logits.remaining() % rows != 0) {
                    throw new DataContractException("ONNX Runtime returned " + (logits == null ? "no floats"
                            : logits.remaining() + " floats") + " for a batch of " + rows + " rows; expected a float "
                            + "tensor of shape [" + rows + ", classes]");
                }
                int classes = logits.remaining() / rows;
                float[][] outRows = new float[rows][classes];
                for (float[] r : outRows) {
                    logits.get(r);
                }
                return outRows;
            } catch (OrtException e) {
                throw new DataContractException("ONNX Runtime failed on a batch of " + rows + ": " + e.getMessage(), e);
            }
        }

        /** The declared input shape with the batch dimension set; a flat row fills the other dimensions in order. */
        private long[] shapeFor(int rows, int width) {
            long[] shape = inputShape.clone();
            long per = 1;
            boolean known = shape.length >= 2;
            for (int i = 1; i < shape.length; i++) {
                known &= shape[i] > 0;
                per *= shape[i];
            }
            if (!known) {
                return new long[]{rows, width};
            }
            if (per != width) {
                throw new DataContractException("the model's input has shape " + Arrays.toString(inputShape)
                        + " (" + per + " values per row); the rows hold " + width);
            }
            shape[0] = rows;
            return shape;
        }

        private FloatBuffer buffer(int floats) {
            FloatBuffer b = buffers.get();
            if (b == null || b.capacity() < floats) {
                b = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
                buffers.set(b);
            }
            b.clear();
            b.limit(floats);
            return b;
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
