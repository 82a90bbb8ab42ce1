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
    InferenceRunner load(byte[] bytes, String what);
}
