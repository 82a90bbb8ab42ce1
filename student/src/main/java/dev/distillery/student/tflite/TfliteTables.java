package dev.distillery.student.tflite;

import com.google.flatbuffers.FlatBufferBuilder;

import java.nio.ByteBuffer;

/**
 * Builders for the TFLite tables the exporter writes. Each method writes one table; nested tables, strings and
 * vectors must be created first (a flatbuffer is built from the leaves up). The constants are the field ids of the
 * schema's table declarations; fields left at their schema default are not written.
 */
final class TfliteTables {
    private TfliteTables() {
    }

    // table Model { version:uint; operator_codes:[OperatorCode]; subgraphs:[SubGraph]; description:string;
    //               buffers:[Buffer]; metadata_buffer:[int]; metadata:[Metadata]; signature_defs:[SignatureDef]; ... }
    static final int MODEL_VERSION = 0;
    static final int MODEL_OPERATOR_CODES = 1;
    static final int MODEL_SUBGRAPHS = 2;
    static final int MODEL_DESCRIPTION = 3;
    static final int MODEL_BUFFERS = 4;
    static final int MODEL_SIGNATURE_DEFS = 7;

    static int model(FlatBufferBuilder b, int operatorCodes, int subgraphs, int description, int buffers,
                     int signatureDefs) {
        b.startTable(8);
        b.addInt(MODEL_VERSION, TfliteSchema.SCHEMA_VERSION, 0);
        b.addOffset(MODEL_OPERATOR_CODES, operatorCodes, 0);
        b.addOffset(MODEL_SUBGRAPHS, subgraphs, 0);
        b.addOffset(MODEL_DESCRIPTION, description, 0);
        b.addOffset(MODEL_BUFFERS, buffers, 0);
        b.addOffset(MODEL_SIGNATURE_DEFS, signatureDefs, 0);
        return b.endTable();
    }

    // table OperatorCode { deprecated_builtin_code:byte; custom_code:string; version:int = 1;
    //                      builtin_code:BuiltinOperator (int32); }
    static final int OPCODE_DEPRECATED_BUILTIN_CODE = 0;
    static final int OPCODE_VERSION = 2;
    static final int OPCODE_BUILTIN_CODE = 3;
    /** Codes below this also go in the old byte field, which readers older than the int32 field still use. */
    static final int PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

    static int operatorCode(FlatBufferBuilder b, int builtin, int version) {
        b.startTable(4);
        b.addInt(OPCODE_BUILTIN_CODE, builtin, 0);
        b.addInt(OPCODE_VERSION, version, 1);
        b.addByte(OPCODE_DEPRECATED_BUILTIN_CODE, (byte) Math.min(builtin, PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
        return b.endTable();
    }

    // table SubGraph { tensors:[Tensor]; inputs:[int]; outputs:[int]; operators:[Operator]; name:string; }
    static final int SUBGRAPH_TENSORS = 0;
    static final int SUBGRAPH_INPUTS = 1;
    static final int SUBGRAPH_OUTPUTS = 2;
    static final int SUBGRAPH_OPERATORS = 3;
    static final int SUBGRAPH_NAME = 4;

    static int subGraph(FlatBufferBuilder b, int tensors, int inputs, int outputs, int operators, int name) {
        b.startTable(5);
        b.addOffset(SUBGRAPH_TENSORS, tensors, 0);
        b.addOffset(SUBGRAPH_INPUTS, inputs, 0);
        b.addOffset(SUBGRAPH_OUTPUTS, outputs, 0);
        b.addOffset(SUBGRAPH_OPERATORS, operators, 0);
        b.addOffset(SUBGRAPH_NAME, name, 0);
        return b.endTable();
    }

    // table Tensor { shape:[int]; type:TensorType (byte); buffer:uint; name:string;
    //                quantization:QuantizationParameters; is_variable:bool; ...; has_rank:bool (id 8); }
    static final int TENSOR_SHAPE = 0;
    static final int TENSOR_TYPE = 1;
    static final int TENSOR_BUFFER = 2;
    static final int TENSOR_NAME = 3;
    static final int TENSOR_QUANTIZATION = 4;
    static final int TENSOR_HAS_RANK = 8;

    /** {@code quantization} 0 means none (int32 shape tensors). Every shape here is static, hence has_rank. */
    static int tensor(FlatBufferBuilder b, int shape, byte type, int buffer, int name, int quantization) {
        b.startTable(9);
        b.addOffset(TENSOR_SHAPE, shape, 0);
        b.addInt(TENSOR_BUFFER, buffer, 0);
        b.addOffset(TENSOR_NAME, name, 0);
        b.addOffset(TENSOR_QUANTIZATION, quantization, 0);
        b.addByte(TENSOR_TYPE, type, 0);
        b.addBoolean(TENSOR_HAS_RANK, true, false);
        return b.endTable();
    }

    // table QuantizationParameters { min:[float]; max:[float]; scale:[float]; zero_point:[long];
    //     details:QuantizationDetails (ids 4 = type, 5 = value); quantized_dimension:int; }
    static final int QUANT_SCALE = 2;
    static final int QUANT_ZERO_POINT = 3;
    static final int QUANT_QUANTIZED_DIMENSION = 6;

    /** real = scale[i] * (q - zero_point[i]) along {@code dimension} (per-tensor: one scale, dimension 0). */
    static int quantization(FlatBufferBuilder b, float[] scale, long[] zeroPoint, int dimension) {
        int scales = floatVector(b, scale);
        int zeros = longVector(b, zeroPoint);
        b.startTable(7);
        b.addOffset(QUANT_SCALE, scales, 0);
        b.addOffset(QUANT_ZERO_POINT, zeros, 0);
        b.addInt(QUANT_QUANTIZED_DIMENSION, dimension, 0);
        return b.endTable();
    }

    // table Buffer { data:[ubyte] (force_align: 16); offset:ulong; size:ulong; }
    static final int BUFFER_DATA = 0;
    /** The schema's alignment of buffer data, which lets a runtime read int32 biases and weights in place. */
    static final int BUFFER_ALIGNMENT = 16;

    /** A buffer with {@code data}, or the empty buffer when {@code data} is empty. */
    static int buffer(FlatBufferBuilder b, byte[] data) {
        int vector = 0;
        if (data.length > 0) {
            ByteBuffer target = b.createUnintializedVector(1, data.length, BUFFER_ALIGNMENT);
            target.put(data);
            vector = b.endVector();
        }
        b.startTable(3);
        b.addOffset(BUFFER_DATA, vector, 0);
        return b.endTable();
    }

    // table Operator { opcode_index:uint; inputs:[int]; outputs:[int];
    //                  builtin_options:BuiltinOptions (ids 3 = type, 4 = value); custom_options:[ubyte]; ... }
    static final int OPERATOR_OPCODE_INDEX = 0;
    static final int OPERATOR_INPUTS = 1;
    static final int OPERATOR_OUTPUTS = 2;
    static final int OPERATOR_BUILTIN_OPTIONS_TYPE = 3;
    static final int OPERATOR_BUILTIN_OPTIONS = 4;

    static int operator(FlatBufferBuilder b, int opcodeIndex, int inputs, int outputs, byte optionsType,
                        int options) {
        b.startTable(5);
        b.addInt(OPERATOR_OPCODE_INDEX, opcodeIndex, 0);
        b.addOffset(OPERATOR_INPUTS, inputs, 0);
        b.addOffset(OPERATOR_OUTPUTS, outputs, 0);
        b.addOffset(OPERATOR_BUILTIN_OPTIONS, options, 0);
        b.addByte(OPERATOR_BUILTIN_OPTIONS_TYPE, optionsType, 0);
        return b.endTable();
    }

    // table Conv2DOptions { padding:Padding; stride_w:int; stride_h:int; fused_activation_function:byte;
    //                       dilation_w_factor:int = 1; dilation_h_factor:int = 1; quantized_bias_type:TensorType; }
    static final int CONV_PADDING = 0;
    static final int CONV_STRIDE_W = 1;
    static final int CONV_STRIDE_H = 2;
    static final int CONV_ACTIVATION = 3;

    static int conv2dOptions(FlatBufferBuilder b, byte padding, int stride, byte activation) {
        b.startTable(7);
        b.addInt(CONV_STRIDE_W, stride, 0);
        b.addInt(CONV_STRIDE_H, stride, 0);
        b.addByte(CONV_PADDING, padding, 0);
        b.addByte(CONV_ACTIVATION, activation, 0);
        return b.endTable();
    }

    // table DepthwiseConv2DOptions { padding:Padding; stride_w:int; stride_h:int; depth_multiplier:int;
    //     fused_activation_function:byte; dilation_w_factor:int = 1; dilation_h_factor:int = 1; }
    static final int DEPTHWISE_PADDING = 0;
    static final int DEPTHWISE_STRIDE_W = 1;
    static final int DEPTHWISE_STRIDE_H = 2;
    static final int DEPTHWISE_MULTIPLIER = 3;
    static final int DEPTHWISE_ACTIVATION = 4;

    static int depthwiseConv2dOptions(FlatBufferBuilder b, byte padding, int stride, int depthMultiplier,
                                      byte activation) {
        b.startTable(7);
        b.addInt(DEPTHWISE_STRIDE_W, stride, 0);
        b.addInt(DEPTHWISE_STRIDE_H, stride, 0);
        b.addInt(DEPTHWISE_MULTIPLIER, depthMultiplier, 0);
        b.addByte(DEPTHWISE_PADDING, padding, 0);
        b.addByte(DEPTHWISE_ACTIVATION, activation, 0);
        return b.endTable();
    }

    // table Pool2DOptions { padding:Padding; stride_w:int; stride_h:int; filter_width:int; filter_height:int;
    //                       fused_activation_function:byte; }
    static final int POOL_PADDING = 0;
    static final int POOL_STRIDE_W = 1;
    static final int POOL_STRIDE_H = 2;
    static final int POOL_FILTER_W = 3;
    static final int POOL_FILTER_H = 4;
    static final int POOL_ACTIVATION = 5;

    static int pool2dOptions(FlatBufferBuilder b, byte padding, int stride, int filter, byte activation) {
        b.startTable(6);
        b.addInt(POOL_STRIDE_W, stride, 0);
        b.addInt(POOL_STRIDE_H, stride, 0);
        b.addInt(POOL_FILTER_W, filter, 0);
        b.addInt(POOL_FILTER_H, filter, 0);
        b.addByte(POOL_PADDING, padding, 0);
        b.addByte(POOL_ACTIVATION, activation, 0);
        return b.endTable();
    }

    // table FullyConnectedOptions { fused_activation_function:byte; weights_format:byte = DEFAULT;
    //     keep_num_dims:bool; asymmetric_quantize_inputs:bool; quantized_bias_type:TensorType; }
    static final int FC_ACTIVATION = 0;

    static int fullyConnectedOptions(FlatBufferBuilder b, byte activation) {
        b.startTable(5);
        b.addByte(FC_ACTIVATION, activation, 0);
        return b.endTable();
    }

    // table ReshapeOptions { new_shape:[int]; }
    static final int RESHAPE_NEW_SHAPE = 0;

    static int reshapeOptions(FlatBufferBuilder b, int newShape) {
        b.startTable(1);
        b.addOffset(RESHAPE_NEW_SHAPE, newShape, 0);
        return b.endTable();
    }

    // table QuantizeOptions { }
    static int quantizeOptions(FlatBufferBuilder b) {
        b.startTable(0);
        return b.endTable();
    }

    // table TensorMap { name:string; tensor_index:uint; }
    static final int TENSOR_MAP_NAME = 0;
    static final int TENSOR_MAP_TENSOR_INDEX = 1;

    static int tensorMap(FlatBufferBuilder b, int name, int tensorIndex) {
        b.startTable(2);
        b.addOffset(TENSOR_MAP_NAME, name, 0);
        b.addInt(TENSOR_MAP_TENSOR_INDEX, tensorIndex, 0);
        return b.endTable();
    }

    // table SignatureDef { inputs:[TensorMap]; outputs:[TensorMap]; signature_key:string;
    //                      deprecated_tag:string (deprecated); subgraph_index:uint; }
    static final int SIGNATURE_INPUTS = 0;
    static final int SIGNATURE_OUTPUTS = 1;
    static final int SIGNATURE_KEY = 2;
    static final int SIGNATURE_SUBGRAPH_INDEX = 4;

    static int signatureDef(FlatBufferBuilder b, int inputs, int outputs, int key) {
        b.startTable(5);
        b.addOffset(SIGNATURE_INPUTS, inputs, 0);
        b.addOffset(SIGNATURE_OUTPUTS, outputs, 0);
        b.addOffset(SIGNATURE_KEY, key, 0);
        b.addInt(SIGNATURE_SUBGRAPH_INDEX, 0, 0);
        return b.endTable();
    }

    static int intVector(FlatBufferBuilder b, int[] values) {
        b.startVector(4, values.length, 4);
        for (int i = values.length - 1; i >= 0; i--) {
            b.addInt(values[i]);
        }
        return b.endVector();
    }

    static int floatVector(FlatBufferBuilder b, float[] values) {
        b.startVector(4, values.length, 4);
        for (int i = values.length - 1; i >= 0; i--) {
            b.addFloat(values[i]);
        }
        return b.endVector();
    }

    static int longVector(FlatBufferBuilder b, long[] values) {
        b.startVector(8, values.length, 8);
        for (int i = values.length - 1; i >= 0; i--) {
            b.addLong(values[i]);
        }
        return b.endVector();
    }

    static int offsetVector(FlatBufferBuilder b, int[] offsets) {
        return b.createVectorOfTables(offsets);
    }
}
