package dev.distillery.core.labels;

import org.bytedeco.javacpp.indexer.HalfIndexer;

/** IEEE 754 binary16 values carried as the 16-bit pattern in a signed short (what {@code numpy.view} reads back). */
public final class Float16 {
    private Float16() {
    }

    public static short encode(float v) {
        return (short) HalfIndexer.fromFloat(v);
    }

    public static float decode(short bits) {
        return HalfIndexer.toFloat(bits & 0xffff);
    }
}
