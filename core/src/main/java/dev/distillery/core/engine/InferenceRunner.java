package dev.distillery.core.engine;

/** A runtime that turns a batch of flattened inputs into logits; {@link #runtime()} names it in reports. */
public interface InferenceRunner extends AutoCloseable {
    /** Short id of the runtime, e.g. {@code onnxruntime}, {@code samediff}, {@code integer-java}. */
    String runtime();

    float[][] logits(float[][] batch);

    @Override
    default void close() {
    }
}
