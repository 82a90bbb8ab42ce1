package dev.distillery.student.tflite;

/**
 * The numbers of the TFLite flatbuffer schema (schema version 3, file identifier {@code TFL3}) that the exporter
 * writes: enum values, union member indices and the operator versions it declares.
 *
 * <p>Field ids of the tables themselves live next to their builders in {@link TfliteTables}. In a flatbuffer a
 * field's id is its position in the table declaration (a union field takes two ids: its type, then its value),
 * and the builder API addresses fields by that id.
 */
final class TfliteSchema {
    private TfliteSchema() {
    }

    /** {@code Model.version}: the schema revision whose buffers live in {@code Model.buffers}. */
    static final int SCHEMA_VERSION = 3;
    /** Bytes 4..7 of every TFLite file. */
    static final String FILE_IDENTIFIER = "TFL3";

    /** {@code enum TensorType : byte}. */
    static final byte FLOAT32 = 0;
    static final byte INT32 = 2;
    static final byte UINT8 = 3;
    static final byte INT8 = 9;

    /** {@code enum BuiltinOperator : int32}. */
    static final int OP_CONV_2D = 3;
    static final int OP_DEPTHWISE_CONV_2D = 4;
    static final int OP_FULLY_CONNECTED = 9;
    static final int OP_MAX_POOL_2D = 17;
    static final int OP_RESHAPE = 22;
    static final int OP_QUANTIZE = 114;

    /**
     * Operator versions, chosen as TFLite's own versioning rules choose them for these tensor types, so a runtime
     * that registers only the versions it implements (TFLite Micro, LiteRT's op resolver) accepts the file:
     * CONV_2D 3 and DEPTHWISE_CONV_2D 3 are the int8 kernels with per-channel weights (int4 codes are stored as
     * int8, so they stay at 3), FULLY_CONNECTED 4 the int8 kernel (per-channel or per-tensor), MAX_POOL_2D 2 int8
     * pooling, QUANTIZE 1 (uint8 to int8 and back at an unchanged scale), RESHAPE 1.
     */
    static int version(int builtinOperator) {
        return switch (builtinOperator) {
            case OP_CONV_2D, OP_DEPTHWISE_CONV_2D -> 3;
            case OP_FULLY_CONNECTED -> 4;
            case OP_MAX_POOL_2D -> 2;
            case OP_RESHAPE, OP_QUANTIZE -> 1;
            default -> throw new IllegalArgumentException("no version chosen for builtin operator " + builtinOperator);
        };
    }

    /** Name of a builtin operator, for messages and the structure tests. */
    static String opName(int builtinOperator) {
        return switch (builtinOperator) {
            case OP_CONV_2D -> "CONV_2D";
            case OP_DEPTHWISE_CONV_2D -> "DEPTHWISE_CONV_2D";
            case OP_FULLY_CONNECTED -> "FULLY_CONNECTED";
            case OP_MAX_POOL_2D -> "MAX_POOL_2D";
            case OP_RESHAPE -> "RESHAPE";
            case OP_QUANTIZE -> "QUANTIZE";
            default -> "builtin " + builtinOperator;
        };
    }

    /** Member indices of {@code union BuiltinOptions} (0 is NONE). */
    static final byte OPTIONS_NONE = 0;
    static final byte OPTIONS_CONV_2D = 1;
    static final byte OPTIONS_DEPTHWISE_CONV_2D = 2;
    static final byte OPTIONS_POOL_2D = 5;
    static final byte OPTIONS_FULLY_CONNECTED = 8;
    static final byte OPTIONS_RESHAPE = 17;
    static final byte OPTIONS_QUANTIZE = 89;

    /** {@code enum Padding : byte}. */
    static final byte PADDING_SAME = 0;
    static final byte PADDING_VALID = 1;

    /** {@code enum ActivationFunctionType : byte}. */
    static final byte ACTIVATION_NONE = 0;
    static final byte ACTIVATION_RELU = 1;
}
