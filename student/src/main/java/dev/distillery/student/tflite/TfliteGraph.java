package dev.distillery.student.tflite;

import com.google.flatbuffers.FlatBufferBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One TFLite subgraph under construction: tensors, their constant buffers and the operators in execution order,
 * serialized by {@link #toBytes} into a complete model with one subgraph and one signature.
 */
final class TfliteGraph {
    /** Quantization of one tensor: real = scale[i] * (q - zeroPoint[i]) along {@code dimension}. */
    record Quant(float[] scale, long[] zeroPoint, int dimension) {
        static Quant perTensor(double scale, int zeroPoint) {
            return new Quant(new float[]{(float) scale}, new long[]{zeroPoint}, 0);
        }
    }

    /** Writes an operator's builtin options table and returns its offset. */
    interface Options {
        int write(FlatBufferBuilder b);
    }

    private record TensorDef(String name, int[] shape, byte type, int buffer, Quant quant) {
    }

    private record OpDef(int builtin, int[] inputs, int[] outputs, byte optionsType, Options options) {
    }

    // Buffer 0 is the empty sentinel that tensors without data point at, as the schema requires.
    private final List<byte[]> buffers = new ArrayList<>(List.of(new byte[0]));
    private final List<TensorDef> tensors = new ArrayList<>();
    private final List<OpDef> ops = new ArrayList<>();
    private final Map<Integer, Integer> opcodes = new LinkedHashMap<>();

    /** A tensor computed at run time; returns its index. */
    int activation(String name, int[] shape, byte type, Quant quant) {
        tensors.add(new TensorDef(name, shape.clone(), type, 0, quant));
        return tensors.size() - 1;
    }

    /** A constant tensor holding {@code data} (little-endian); {@code quant} may be null. Returns its index. */
    int constant(String name, int[] shape, byte type, byte[] data, Quant quant) {
        buffers.add(data);
        tensors.add(new TensorDef(name, shape.clone(), type, buffers.size() - 1, quant));
        return tensors.size() - 1;
    }

    void op(int builtin, int[] inputs, int[] outputs, byte optionsType, Options options) {
        opcodes.computeIfAbsent(builtin, k -> opcodes.size());
        ops.add(new OpDef(builtin, inputs.clone(), outputs.clone(), optionsType, options));
    }

    /** The model file: schema version 3, {@code description}, the subgraph and a "serving_default" signature. */
    byte[] toBytes(String description, String subgraphName, int input, String inputName, int output,
                   String outputName) {
        FlatBufferBuilder b = new FlatBufferBuilder(1024 + buffers.stream().mapToInt(d -> d.length + 32).sum());
        int[] bufferOffsets = new int[buffers.size()];
        for (int i = 0; i < bufferOffsets.length; i++) {
            bufferOffsets[i] = TfliteTables.buffer(b, buffers.get(i));
        }
        int bufferVector = TfliteTables.offsetVector(b, bufferOffsets);
        int[] tensorOffsets = new int[tensors.size()];
        for (int i = 0; i < tensorOffsets.length; i++) {
            TensorDef t = tensors.get(i);
            int quant = t.quant() == null ? 0
                    : TfliteTables.quantization(b, t.quant().scale(), t.quant().zeroPoint(), t.quant().dimension());
            int shape = TfliteTables.intVector(b, t.shape());
            int name = b.createString(t.name());
            tensorOffsets[i] = TfliteTables.tensor(b, shape, t.type(), t.buffer(), name, quant);
        }
        int tensorVector = TfliteTables.offsetVector(b, tensorOffsets);
        int[] opOffsets = new int[ops.size()];
        for (int i = 0; i < opOffsets.length; i++) {
            OpDef op = ops.get(i);
            int options = op.options().write(b);
            int inputs = TfliteTables.intVector(b, op.inputs());
            int outputs = TfliteTables.intVector(b, op.outputs());
            opOffsets[i] = TfliteTables.operator(b, opcodes.get(op.builtin()), inputs, outputs, op.optionsType(),
                    options);
        }
        int opVector = TfliteTables.offsetVector(b, opOffsets);
        int subgraph = TfliteTables.subGraph(b, tensorVector, TfliteTables.intVector(b, new int[]{input}),
                TfliteTables.intVector(b, new int[]{output}), opVector, b.createString(subgraphName));
        int[] codeOffsets = new int[opcodes.size()];
        for (Map.Entry<Integer, Integer> e : opcodes.entrySet()) {
            codeOffsets[e.getValue()] = TfliteTables.operatorCode(b, e.getKey(), TfliteSchema.version(e.getKey()));
        }
        int codeVector = TfliteTables.offsetVector(b, codeOffsets);
        int inMap = TfliteTables.tensorMap(b, b.createString(inputName), input);
        int outMap = TfliteTables.tensorMap(b, b.createString(outputName), output);
        int signature = TfliteTables.signatureDef(b, TfliteTables.offsetVector(b, new int[]{inMap}),
                TfliteTables.offsetVector(b, new int[]{outMap}), b.createString("serving_default"));
        int model = TfliteTables.model(b, codeVector, TfliteTables.offsetVector(b, new int[]{subgraph}),
                b.createString(description), bufferVector, TfliteTables.offsetVector(b, new int[]{signature}));
        b.finish(model, TfliteSchema.FILE_IDENTIFIER);
        return b.sizedByteArray();
    }
}
