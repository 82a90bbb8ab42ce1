package dev.distillery.core.model;

/** Per-example shape of an activation: [channels, height, width] for maps, [size, 1, 1] for flat vectors. */
public record TensorShape(int channels, int height, int width, boolean flat) implements java.io.Serializable {

    public static TensorShape map(int channels, int height, int width) {
        return new TensorShape(channels, height, width, false);
    }

    public static TensorShape vector(int size) {
        return new TensorShape(size, 1, 1, true);
    }

    public long elements() {
        return (long) channels * height * width;
    }

    @Override
    public String toString() {
        return flat ? "[" + channels + "]" : "[" + channels + "x" + height + "x" + width + "]";
    }
}
