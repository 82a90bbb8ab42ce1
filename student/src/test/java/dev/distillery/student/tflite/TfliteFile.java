package dev.distillery.student.tflite;

import com.google.flatbuffers.Table;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a TFLite file back through the flatbuffers runtime's {@link Table} API, independently of the exporter's
 * builders: each field is located by its schema id (vtable slot {@code 4 + 2 * id}).
 */
final class TfliteFile {
    record OpCode(int builtin, int deprecatedBuiltin, int version) {
    }

    record Quant(float[] scale, long[] zeroPoint, int dimension) {
    }

    record Tensor(String name, int[] shape, int type, int buffer, Quant quant) {
    }

    record Op(int opcodeIndex, int[] inputs, int[] outputs, int optionsType, Node options) {
    }

    /** A generic view of one table. */
    static final class Node extends Table {
        Node(ByteBuffer bb, int pos) {
            __reset(pos, bb);
        }

        private int field(int id) {
            return __offset(4 + 2 * id);
        }

        boolean has(int id) {
            return field(id) != 0;
        }

        int i32(int id, int dflt) {
            int o = field(id);
            return o == 0 ? dflt : bb.getInt(bb_pos + o);
        }

        int i8(int id, int dflt) {
            int o = field(id);
            return o == 0 ? dflt : bb.get(bb_pos + o);
        }

        boolean bool(int id) {
            int o = field(id);
            return o != 0 && bb.get(bb_pos + o) != 0;
        }

        String string(int id) {
            int o = field(id);
            return o == 0 ? null : __string(bb_pos + o);
        }

        Node table(int id) {
            int o = field(id);
            return o == 0 ? null : new Node(bb, __indirect(bb_pos + o));
        }

        int length(int id) {
            int o = field(id);
            return o == 0 ? 0 : __vector_len(o);
        }

        Node tableAt(int id, int i) {
            return new Node(bb, __indirect(__vector(field(id)) + 4 * i));
        }

        int[] ints(int id) {
            int[] v = new int[length(id)];
            for (int i = 0; i < v.length; i++) {
                v[i] = bb.getInt(__vector(field(id)) + 4 * i);
            }
            return v;
        }

        float[] floats(int id) {
            float[] v = new float[length(id)];
            for (int i = 0; i < v.length; i++) {
                v[i] = bb.getFloat(__vector(field(id)) + 4 * i);
            }
            return v;
        }

        long[] longs(int id) {
            long[] v = new long[length(id)];
            for (int i = 0; i < v.length; i++) {
                v[i] = bb.getLong(__vector(field(id)) + 8 * i);
            }
            return v;
        }

        byte[] bytes(int id) {
            byte[] v = new byte[length(id)];
            if (v.length > 0) {
                bb.duplicate().position(__vector(field(id))).get(v);
            }
            return v;
        }

        int vectorStart(int id) {
            return __vector(field(id));
        }
    }

    final Node model;
    final List<OpCode> opcodes = new ArrayList<>();
    final List<Tensor> tensors = new ArrayList<>();
    final List<Op> ops = new ArrayList<>();
    final List<byte[]> buffers = new ArrayList<>();
    final List<Integer> bufferStarts = new ArrayList<>();
    final int[] inputs;
    final int[] outputs;
    final String identifier;

    TfliteFile(byte[] bytes) {
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        identifier = new String(bytes, 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
        model = new Node(bb, bb.getInt(0));
        for (int i = 0; i < model.length(1); i++) {
            Node c = model.tableAt(1, i);
            opcodes.add(new OpCode(c.i32(3, 0), c.i8(0, 0), c.i32(2, 1)));
        }
        for (int i = 0; i < model.length(4); i++) {
            Node b = model.tableAt(4, i);
            buffers.add(b.bytes(0));
            bufferStarts.add(b.length(0) > 0 ? b.vectorStart(0) : -1);
        }
        Node subgraph = model.tableAt(2, 0);
        for (int i = 0; i < subgraph.length(0); i++) {
            Node t = subgraph.tableAt(0, i);
            Node q = t.table(4);
            Quant quant = q == null ? null : new Quant(q.floats(2), q.longs(3), q.i32(6, 0));
            tensors.add(new Tensor(t.string(3), t.ints(0), t.i8(1, 0), t.i32(2, 0), quant));
        }
        for (int i = 0; i < subgraph.length(3); i++) {
            Node o = subgraph.tableAt(3, i);
            ops.add(new Op(o.i32(0, 0), o.ints(1), o.ints(2), o.i8(3, 0) & 0xff, o.table(4)));
        }
        inputs = subgraph.ints(1);
        outputs = subgraph.ints(2);
    }

    OpCode opcode(Op op) {
        return opcodes.get(op.opcodeIndex());
    }

    Tensor tensor(int index) {
        return tensors.get(index);
    }
}
