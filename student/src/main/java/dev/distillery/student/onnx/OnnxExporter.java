package dev.distillery.student.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the float network of a model as an ONNX model (opset 13): input "input" [N, C*H*W] float, output
 * "logits" [N, classes]. Convolutions are NCHW with explicit pads reproducing SAME padding, so any ONNX runtime
 * computes what the engine's inference graph computes; a quantization spec, if present, is not exported.
 */
public final class OnnxExporter {
    public static final int OPSET = 13;
    /** IR version 7 is the one that introduced opset 13. */
    static final long IR_VERSION = 7;
    static final String INPUT = "input";
    static final String LOGITS = "logits";

    private OnnxExporter() {
    }

    /** Writes through a temporary file and a rename, so a crash never leaves a half-written model behind. */
    public static void export(ModelArtifact model, Path file) {
        dev.distillery.core.io.AtomicFiles.write(file, toBytes(model));
    }

    /** The serialized ModelProto. */
    public static byte[] toBytes(ModelArtifact model) {
        return build(model).toByteArray();
    }

    static OnnxMl.ModelProto build(ModelArtifact model) {
        Architecture arch = model.architecture();
        dev.distillery.core.model.BatchNormFolding.requireFolded(arch, "ONNX export");
        OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName(arch.name());
        graph.addInput(valueInfo(INPUT, arch.inputSize()));
        graph.addOutput(valueInfo(LOGITS, arch.numClasses()));
        String x = INPUT;
        if (arch.spatial()) {
            graph.addInitializer(int64Tensor("input_shape", -1, arch.channels(), arch.height(), arch.width()));
            x = node(graph, "Reshape", "input_nchw", List.of(x, "input_shape"));
        }
        List<LayerInfo> infos = arch.layerInfos();
        // outputs[j + 1]: the tensor holding layer j's output (outputs[0]: the input), for residual adds
        String[] outputs = new String[infos.size() + 1];
        outputs[0] = x;
        for (LayerInfo info : infos) {
            boolean last = info.index() == infos.size() - 1;
            String out = last ? LOGITS : "L" + info.index();
            LayerSpec spec = info.spec();
            if (spec instanceof LayerSpec.Add add) {
                String shortcut = outputs[add.from() + 1];
                if (add.projection()) {
                    int stride = Architecture.projectionStride(arch.outputOf(add.from()), info.input(), info.index(),
                            add);
                    int in = info.weightShape()[2];
                    addParams(graph, model, info, toOihw(model.params().get(info.weightName()), info.weightShape()),
                            info.input().channels(), in, 1);
                    shortcut = node(graph, "Conv", out + "_projection", List.of(shortcut, info.weightName(),
                            info.biasName()), ints("kernel_shape", 1, 1), ints("strides", stride, stride),
                            ints("pads", 0, 0, 0, 0), intAttr("group", 1));
                }
                x = node(graph, "Add", out, List.of(x, shortcut));
            } else if (spec instanceof LayerSpec.Conv2d conv) {
                addParams(graph, model, info, toOihw(model.params().get(info.weightName()), info.weightShape()),
                        conv.filters(), info.input().channels(), conv.kernel());
                x = conv(graph, info, x, out, conv.kernel(), conv.stride(), conv.pad(), 1);
            } else if (spec instanceof LayerSpec.DepthwiseConv2d dw) {
                int channels = info.input().channels();
                // [kH, kW, C, 1] → [C, 1, kH, kW]: a grouped convolution with one input channel per group.
                addParams(graph, model, info, toOihw(model.params().get(info.weightName()), info.weightShape()),
                        channels, 1, dw.kernel());
                x = conv(graph, info, x, out, dw.kernel(), dw.stride(), dw.pad(), channels);
            } else if (spec instanceof LayerSpec.Dense) {
                float[] w = model.params().get(info.weightName());
                graph.addInitializer(floatTensor(info.weightName(), w, info.weightShape()[0], info.weightShape()[1]));
                graph.addInitializer(floatTensor(info.biasName(), model.params().get(info.biasName()),
                        (int) info.biasCount()));
                x = node(graph, "Gemm", out, List.of(x, info.weightName(), info.biasName()));
            } else if (spec instanceof LayerSpec.MaxPool pool) {
                x = node(graph, "MaxPool", out, List.of(x), ints("kernel_shape", pool.size(), pool.size()),
                        ints("strides", pool.size(), pool.size()));
            } else if (spec instanceof LayerSpec.Relu) {
                x = node(graph, "Relu", out, List.of(x));
            } else if (spec instanceof LayerSpec.AvgPool pool) {
                x = node(graph, "AveragePool", out, List.of(x), ints("kernel_shape", pool.size(), pool.size()),
                        ints("strides", pool.size(), pool.size()));
            } else if (spec instanceof LayerSpec.GlobalAvgPool) {
                x = node(graph, "GlobalAveragePool", out, List.of(x));
            } else if (spec instanceof LayerSpec.Relu6) {
                String low = "L" + info.index() + "_min";
                String high = "L" + info.index() + "_max";
                graph.addInitializer(floatTensor(low, new float[]{0f}));
                graph.addInitializer(floatTensor(high, new float[]{6f}));
                x = node(graph, "Clip", out, List.of(x, low, high));
            } else if (spec instanceof LayerSpec.Dropout) {
                x = node(graph, "Identity", out, List.of(x));
            } else if (spec instanceof LayerSpec.Flatten) {
                x = node(graph, "Flatten", out, List.of(x), intAttr("axis", 1));
            }
            outputs[info.index() + 1] = x;
        }
        OnnxMl.ModelProto.Builder proto = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("distillery")
                .setDomain("dev.distillery")
                .setDocString(model.kind() + " model " + arch.name() + " (" + arch.parameterCount() + " parameters)")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph);
        proto.addMetadataProps(entry("distillery.kind", model.kind()));
        model.metadata().forEach((k, v) -> proto.addMetadataProps(entry(k, v)));
        return proto.build();
    }

    static String conv(OnnxMl.GraphProto.Builder graph, LayerInfo info, String x, String out, int kernel,
                               int stride, Integer pad, int group) {
        int top = Architecture.padBefore(info.input().height(), kernel, stride, pad);
        int left = Architecture.padBefore(info.input().width(), kernel, stride, pad);
        int bottom = pad != null ? pad : padTotal(info.input().height(), info.output().height(), kernel, stride) - top;
        int right = pad != null ? pad : padTotal(info.input().width(), info.output().width(), kernel, stride) - left;
        return node(graph, "Conv", out, List.of(x, info.weightName(), info.biasName()),
                ints("kernel_shape", kernel, kernel), ints("strides", stride, stride),
                ints("pads", top, left, bottom, right), intAttr("group", group));
    }

    static int padTotal(int in, int out, int kernel, int stride) {
        return Math.max((out - 1) * stride + kernel - in, 0);
    }

    private static void addParams(OnnxMl.GraphProto.Builder graph, ModelArtifact model, LayerInfo info, float[] oihw,
                                  int out, int in, int kernel) {
        graph.addInitializer(floatTensor(info.weightName(), oihw, out, in, kernel, kernel));
        graph.addInitializer(floatTensor(info.biasName(), model.params().get(info.biasName()), (int) info.biasCount()));
    }

    /**
     * Reorders [kH, kW, I, O] to [O, I, kH, kW]. A depthwise kernel [kH, kW, C, 1] read as I=C, O=1 lands in
     * [1, C, kH, kW], which holds the same values in the same order as the grouped layout [C, 1, kH, kW].
     */
    static float[] toOihw(float[] w, int[] shape) {
        int[] source = oihwSource(shape);
        float[] r = new float[w.length];
        for (int d = 0; d < r.length; d++) {
            r[d] = w[source[d]];
        }
        return r;
    }

    /** For each position of the [O, I, kH, kW] layout, its position in the [kH, kW, I, O] layout. */
    static int[] oihwSource(int[] shape) {
        int kh = shape[0];
        int kw = shape[1];
        int in = shape[2];
        int out = shape[3];
        int[] source = new int[kh * kw * in * out];
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        source[((o * in + i) * kh + y) * kw + x] = ((y * kw + x) * in + i) * out + o;
                    }
                }
            }
        }
        return source;
    }

    static String node(OnnxMl.GraphProto.Builder graph, String op, String output, List<String> inputs,
                               OnnxMl.AttributeProto... attributes) {
        OnnxMl.NodeProto.Builder node = OnnxMl.NodeProto.newBuilder().setOpType(op).setName(output + "_" + op)
                .addAllInput(inputs).addOutput(output);
        for (OnnxMl.AttributeProto a : attributes) {
            node.addAttribute(a);
        }
        graph.addNode(node);
        return output;
    }

    static OnnxMl.AttributeProto ints(String name, long... values) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static OnnxMl.AttributeProto intAttr(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(value).build();
    }

    static OnnxMl.TensorProto floatTensor(String name, float[] values, int... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setRawData(ByteString.copyFrom(raw.array()));
        for (int d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    static OnnxMl.TensorProto int64Tensor(String name, long... values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        return OnnxMl.TensorProto.newBuilder().setName(name).setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
                .addDims(values.length).setRawData(ByteString.copyFrom(raw.array())).build();
    }

    static OnnxMl.ValueInfoProto valueInfo(String name, int width) {
        OnnxMl.TensorShapeProto shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(width))
                .build();
        OnnxMl.TypeProto type = OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape)).build();
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    static OnnxMl.StringStringEntryProto entry(String key, String value) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
