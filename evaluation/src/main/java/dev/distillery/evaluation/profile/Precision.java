package dev.distillery.evaluation.profile;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Numeric format a model variant runs in, with the storage width of its weights and activations. */
public enum Precision {
    FP32("fp32", 32, 4),
    FP16("fp16", 16, 2),
    INT8("int8", 8, 1),
    // int4 kernels keep activations in int8: no common runtime computes on 4-bit activations.
    INT4("int4", 4, 1);

    private final String id;
    private final int weightBits;
    private final int activationBytes;

    Precision(String id, int weightBits, int activationBytes) {
        this.id = id;
        this.weightBits = weightBits;
        this.activationBytes = activationBytes;
    }

    /** The lower-case name used in YAML, JSON and on the command line. */
    public String id() {
        return id;
    }

    public int weightBits() {
        return weightBits;
    }

    /** Bytes per activation element while the network runs at this precision. */
    public int activationBytes() {
        return activationBytes;
    }

    /** Whether weights are stored as integers with per-channel scales and int32 biases. */
    public boolean integer() {
        return this == INT8 || this == INT4;
    }

    /** Parses {@code fp32}, {@code int8}, ... (case-insensitive); the message lists the known ids. */
    public static Precision parse(String id) {
        if (id != null) {
            String wanted = id.trim().toLowerCase(Locale.ROOT);
            for (Precision p : values()) {
                if (p.id.equals(wanted)) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("unknown precision '" + id + "' (known: " + knownIds() + ")");
    }

    static String knownIds() {
        return Arrays.stream(values()).map(Precision::id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id;
    }
}
