package dev.distillery.student.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes an {@link IntegerModel} as a quantized ONNX model in QDQ form (opset 13): the input passes through
 * QuantizeLinear/DequantizeLinear (uint8, asymmetric), weights are symmetric codes stored as uint8 with zero point
 * 128 behind a per-channel DequantizeLinear (axis = output channel), biases are int32 at scale {@code inputScale * weightScale[c]} behind
 * their own DequantizeLinear, and every requantized layer's ReLU output passes through a uint8 Q/DQ pair with the
 * layer's output scale and zero point. The final layer's output is the float "logits".
 *
 * <p>The codes and scales are those of the integer model itself, so an ONNX runtime (which may fuse the pairs
 * into QLinearConv/QLinearMatMul) and Distillery's integer runtime compute from the same numbers. Int4 weights
 * are written the same way, as codes in [-7, 7] offset by 128: opset 13 has no 4-bit type.
 */
public final class OnnxQdqExporter {
    /** Zero point of the uint8 weight tensors: weight code c is stored as c + 128 (see dequantizeWeights). */
    static final int WEIGHT_ZERO_POINT = 128;
    private OnnxQdqExporter() {
    }

    /** Writes through a temporary file and a rename, so a crash never leaves a half-written model behind. */
    public static void export(IntegerModel model, Path file) {
        dev.distillery.core.io.AtomicFiles.write(file, toBytes(model));
    }

    public static byte[] toBytes(IntegerModel model) {
        return build(model).toByteArray();
    }

    static OnnxMl.ModelProto build(IntegerModel model) {
        Architecture arch = model.architecture();
        OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName(arch.name() + "-qdq");
        graph.addInput(OnnxExporter.valueInfo(OnnxExporter.INPUT, arch.inputSize()));
        graph.addOutput(OnnxExporter.valueInfo(OnnxExporter.LOGITS, arch.numClasses()));
        String x = qdq(graph, "input", OnnxExporter.INPUT, model.inputScale(), model.inputZeroPoint());
        if (arch.spatial()) {
            graph.addInitializer(OnnxExporter.int64Tensor("input_shape", -1, arch.channels(), arch.height(),
                    arch.width()));
            x = OnnxExporter.node(graph, "Reshape", "input_nchw", List.of(x, "input_shape"));
        }
        List<LayerInfo> infos = arch.layerInfos();
        IntegerLayer pending = null;
        for (LayerInfo info : infos) {
            boolean last = info.index() == infos.size() - 1;
            String out = last ? OnnxExporter.LOGITS : "L" + info.index();
            LayerSpec spec = info.spec();
            if (spec.hasWeights()) {
                IntegerLayer layer = model.layer(info.index());
                x = weighted(graph, info, layer, x, out);
                if (layer.requantized()) {
                    pending = layer;
                }
            } else if (spec instanceof LayerSpec.MaxPool pool) {
                x = OnnxExporter.node(graph, "MaxPool", out, List.of(x),
                        OnnxExporter.ints("kernel_shape", pool.size(), pool.size()),
                        OnnxExporter.ints("strides", pool.size(), pool.size()));
            } else if (spec instanceof LayerSpec.Relu) {
                x = OnnxExporter.node(graph, "Relu", pending != null ? out + "_float" : out, List.of(x));
                if (pending != null) {
                    // The ReLU fused into the integer layer's requantization: its output is the quantized point.
                    x = qdq(graph, "L" + info.index(), x, pending.outputScale(), pending.outputZeroPoint());
                    pending = null;
                }
            } else if (spec instanceof LayerSpec.Flatten) {
                x = OnnxExporter.node(graph, "Flatten", out, List.of(x), OnnxExporter.intAttr("axis", 1));
            }
        }
        if (!OnnxExporter.LOGITS.equals(x)) {
            OnnxExporter.node(graph, "Identity", OnnxExporter.LOGITS, List.of(x));
        }
        OnnxMl.ModelProto.Builder proto = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(OnnxExporter.IR_VERSION)
                .setProducerName("distillery")
                .setDomain("dev.distillery")
                .setDocString("int" + model.weightBits() + " weights / uint" + model.activationBits()
                        + " activations QDQ model " + arch.name())
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxExporter.OPSET))
                .setGraph(graph);
        proto.addMetadataProps(OnnxExporter.entry("distillery.kind", "integer-qdq"));
        model.metadata().forEach((k, v) -> proto.addMetadataProps(OnnxExporter.entry(k, v)));
        return proto.build();
    }

    private static String weighted(OnnxMl.GraphProto.Builder graph, LayerInfo info, IntegerLayer layer, String x,
                                   String out) {
        int channels = layer.channels();
        String w = info.weightName();
        String b = info.biasName();
        float[] biasScale = new float[channels];
        for (int c = 0; c < channels; c++) {
            biasScale[c] = (float) (layer.inputScale() * layer.weightScale()[c]);
        }
        graph.addInitializer(int32Tensor(b + "_q", layer.bias(), channels));
        graph.addInitializer(OnnxExporter.floatTensor(b + "_scale", biasScale, channels));
        graph.addInitializer(int32Tensor(b + "_zero", new int[channels], channels));
        OnnxExporter.node(graph, "DequantizeLinear", b + "_dq", List.of(b + "_q", b + "_scale", b + "_zero"),
                OnnxExporter.intAttr("axis", 0));
        LayerSpec spec = info.spec();
        int[] shape = info.weightShape();
        if (spec instanceof LayerSpec.Dense) {
            // [in, units]: the output channel is axis 1.
            dequantizeWeights(graph, w, layer, layer.weights(), 1, shape[0], shape[1]);
            return OnnxExporter.node(graph, "Gemm", out, List.of(x, w + "_dq", b + "_dq"));
        }
        int kernel;
        int stride;
        int group;
        int in;
        if (spec instanceof LayerSpec.Conv2d conv) {
            kernel = conv.kernel();
            stride = conv.stride();
            group = 1;
            in = info.input().channels();
        } else {
            LayerSpec.DepthwiseConv2d dw = (LayerSpec.DepthwiseConv2d) spec;
            kernel = dw.kernel();
            stride = dw.stride();
            group = info.input().channels();
            in = 1;
        }
        byte[] oihw = toOihw(layer.weights(), shape);
        dequantizeWeights(graph, w, layer, oihw, 0, channels, in, kernel, kernel);
        int top = Architecture.samePadBefore(info.input().height(), kernel, stride);
        int left = Architecture.samePadBefore(info.input().width(), kernel, stride);
        int bottom = OnnxExporter.padTotal(info.input().height(), info.output().height(), kernel, stride) - top;
        int right = OnnxExporter.padTotal(info.input().width(), info.output().width(), kernel, stride) - left;
        return OnnxExporter.node(graph, "Conv", out, List.of(x, w + "_dq", b + "_dq"),
                OnnxExporter.ints("kernel_shape", kernel, kernel), OnnxExporter.ints("strides", stride, stride),
                OnnxExporter.ints("pads", top, left, bottom, right), OnnxExporter.intAttr("group", group));
    }

    /**
     * Weight codes c in [-127, 127] are written as uint8 c + 128 with zero point 128, which dequantize to exactly the
     * same values as int8 codes with zero point 0. The reason is ONNX Runtime's fused kernels on x86 CPUs without
     * VNNI (AVX2, AVX-512 before Cascade Lake): for uint8 activations times int8 weights they add pairs of products
     * in 16-bit registers with saturation (VPMADDUBSW), which overflows for large codes (2 x 255 x 127 > 32,767)
     * and changed about 2% of the int8 Fashion-MNIST student's predictions against the integer runtime. For uint8
     * times uint8 they widen to 16 bits first and accumulate in 32 bits, which cannot overflow here.
     */
    private static void dequantizeWeights(OnnxMl.GraphProto.Builder graph, String w, IntegerLayer layer,
                                          byte[] codes, int axis, int... dims) {
        byte[] offset = new byte[codes.length];
        for (int i = 0; i < codes.length; i++) {
            offset[i] = (byte) (codes[i] + WEIGHT_ZERO_POINT);
        }
        graph.addInitializer(uint8Tensor(w + "_q", offset, dims));
        graph.addInitializer(OnnxExporter.floatTensor(w + "_scale", layer.weightScale(), layer.channels()));
        byte[] zero = new byte[layer.channels()];
        java.util.Arrays.fill(zero, (byte) WEIGHT_ZERO_POINT);
        graph.addInitializer(uint8Tensor(w + "_zero", zero, layer.channels()));
        OnnxExporter.node(graph, "DequantizeLinear", w + "_dq", List.of(w + "_q", w + "_scale", w + "_zero"),
                OnnxExporter.intAttr("axis", axis));
    }

    /** QuantizeLinear then DequantizeLinear with a uint8 zero point: the fake quantization of one point. */
    private static String qdq(OnnxMl.GraphProto.Builder graph, String point, String x, double scale, int zeroPoint) {
        graph.addInitializer(OnnxExporter.floatTensor(point + "_scale", new float[]{(float) scale}));
        graph.addInitializer(OnnxMl.TensorProto.newBuilder().setName(point + "_zero")
                .setDataType(OnnxMl.TensorProto.DataType.UINT8.getNumber())
                .setRawData(ByteString.copyFrom(new byte[]{(byte) zeroPoint})).build());
        String q = OnnxExporter.node(graph, "QuantizeLinear", point + "_q", List.of(x, point + "_scale",
                point + "_zero"));
        return OnnxExporter.node(graph, "DequantizeLinear", point + "_dq", List.of(q, point + "_scale",
                point + "_zero"));
    }

    /** [kH, kW, I, O] codes to [O, I, kH, kW], as {@link OnnxExporter#toOihw} does for floats. */
    static byte[] toOihw(byte[] w, int[] shape) {
        int[] source = OnnxExporter.oihwSource(shape);
        byte[] r = new byte[w.length];
        for (int d = 0; d < r.length; d++) {
            r[d] = w[source[d]];
        }
        return r;
    }

    private static OnnxMl.TensorProto uint8Tensor(String name, byte[] values, int... dims) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.UINT8.getNumber()).setRawData(ByteString.copyFrom(values));
        for (int d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static OnnxMl.TensorProto int32Tensor(String name, int[] values, int... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asIntBuffer().put(values);
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.INT32.getNumber()).setRawData(ByteString.copyFrom(raw.array()));
        for (int d : dims) {
            t.addDims(d);
        }
        return t.build();
    }
}
