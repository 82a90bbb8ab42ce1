package dev.distillery.core.engine;

/**
 * A runtime that loads a serialized model (an ONNX graph) and runs it for inference. An implementation registers
 * itself in {@code META-INF/services/dev.distillery.core.engine.InferenceRuntime}; code obtains it through
 * {@link Engines#runtime(String)}.
 */
public interface InferenceRuntime {
    /** Short id of the runtime, e.g. {@code onnxruntime}; runners it loads report the same id. */
    String id();

    /**
     * A runner for the model in {@code bytes}; {@code what} names the model in the error raised when the runtime
     * cannot load it.
     */
    default InferenceRunner load(byte[] bytes, String what) {
        return load(bytes, what, RuntimeOptions.DEFAULT);
    }

    /**
     * As {@link #load(byte[], String)}, with the threads the runtime may use. The runner it returns may be called
     * from several threads at once; each call then runs on its own thread with its own buffers.
     */
    InferenceRunner load(byte[] bytes, String what, RuntimeOptions options);
}
