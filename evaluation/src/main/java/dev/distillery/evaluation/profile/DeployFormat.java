package dev.distillery.evaluation.profile;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The artifact a device's own toolchain takes: C sources, a TFLite flatbuffer or an ONNX model. */
public enum DeployFormat {
    /** C99 sources with the weights as constants, compiled into the firmware (microcontrollers). */
    C("c"),
    /** A full-integer TFLite flatbuffer (LiteRT, TFLite Micro, Coral's compiler, Arm Vela, NNAPI delegates). */
    TFLITE("tflite"),
    /** An ONNX model (ONNX Runtime, TensorRT, OpenVINO). */
    ONNX("onnx");

    private final String id;

    DeployFormat(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Parses {@code c}, {@code tflite} or {@code onnx}; the message lists the known ids. */
    public static DeployFormat parse(String id) {
        if (id != null) {
            String wanted = id.trim().toLowerCase(Locale.ROOT);
            for (DeployFormat f : values()) {
                if (f.id.equals(wanted)) {
                    return f;
                }
            }
        }
        throw new IllegalArgumentException("unknown deployment format '" + id + "' (known: "
                + Arrays.stream(values()).map(DeployFormat::id).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
