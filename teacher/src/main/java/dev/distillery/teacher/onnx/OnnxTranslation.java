package dev.distillery.teacher.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.TensorShape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Translates an ONNX classifier built from the layers Distillery trains into a Distillery model: a chain of Conv
 * (standard or depthwise, square kernel, SAME padding or the same zeros on every side), BatchNormalization, Relu,
 * MaxPool (window equal to stride), AveragePool, GlobalAveragePool, Clip(0, 6), Flatten or a flattening Reshape, and
 * Gemm, with Dropout and Identity dropped (they do nothing at inference). Its only branches are residual blocks: an
 * Add of the chain's output and an earlier tensor of the chain, directly or through a 1x1 Conv (the projection),
 * which may come after the block's first layer in node order (as PyTorch exports it) or before it. Anything else
 * (another operator, another branch) is refused, naming the first node that cannot be translated. The caller checks
 * the translation's logits against ONNX Runtime's before using it.
 */
public final class OnnxTranslation {
    /** The ONNX operators a translation takes. */
    public static final List<String> SUPPORTED = List.of("Conv", "BatchNormalization", "Relu", "Clip", "MaxPool",
            "AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Gemm", "Add", "Dropout", "Identity");

    private final OnnxTeacherFile file;
    private final Map<String, OnnxMl.TensorProto> constants = new HashMap<>();
    private final List<LayerSpec> layers = new ArrayList<>();
    /** Parameters by layer index, in ONNX's layouts until {@link #params} converts them. */
    private final Map<Integer, Map<String, float[]>> raw = new LinkedHashMap<>();
    /** The layer whose output each translated tensor is (-1: the input). */
    private final Map<String, Integer> producer = new HashMap<>();
    /** The shape of each layer's output. */
    private final Map<Integer, TensorShape> shapes = new HashMap<>();
    /** Residual projections by their output, until the Add that reads them. */
    private final Map<String, Projection> projections = new LinkedHashMap<>();
    private int c;
    private int h;
    private int w;
    private boolean flat;
    /** The model takes flat rows and no layer has reshaped them into the image yet. */
    private boolean flatInput;

    private OnnxTranslation(OnnxTeacherFile file) {
        this.file = file;
    }

    /**
     * The model as a Distillery teacher of kind {@code kind} for images of {@code channels x height x width} and
     * {@code classes} classes (channels first); fails naming the first node it cannot translate.
     */
    public static ModelArtifact translate(OnnxTeacherFile file, String kind, int channels, int height, int width,
                                          int classes) {
        OnnxTranslation t = new OnnxTranslation(file);
        Architecture arch = t.layers(channels, height, width, classes);
        return new ModelArtifact(kind, arch, t.params(arch), Map.of("translated_from", file.location(),
                "translated_from_sha256", file.sha256()), null);
    }

    private Architecture layers(int channels, int height, int width, int classes) {
        OnnxMl.GraphProto g;
        try {
            g = OnnxMl.ModelProto.parseFrom(file.bytes()).getGraph();
        } catch (InvalidProtocolBufferException e) {
            throw new DataContractException("teacher.onnx.model " + file.location() + " is not an ONNX model", e);
        }
        g.getInitializerList().forEach(t -> constants.put(t.getName(), t));
        c = channels;
        h = height;
        w = width;
        flat = false;
        flatInput = file.inputShape().size() == 2;
        Map<String, List<OnnxMl.NodeProto>> readers = new HashMap<>();
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            n.getInputList().forEach(in -> readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n));
        }
        String current = file.inputName();
        producer.put(current, -1);
        shapes.put(-1, TensorShape.map(channels, height, width));
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("Constant")) {
                n.getAttributeList().stream().filter(a -> a.getName().equals("value")).findFirst()
                        .ifPresent(a -> constants.put(n.getOutput(0), a.getT().toBuilder().setName(n.getOutput(0))
                                .build()));
                continue;
            }
            if (!SUPPORTED.contains(n.getOpType())) {
                throw refuse(n, "is not in the set a translation takes " + SUPPORTED);
            }
            if (n.getOpType().equals("Add")) {
                add(n, current);
            } else if (n.getInputCount() > 0 && n.getOpType().equals("Conv") && producer.containsKey(n.getInput(0))
                    && (!n.getInput(0).equals(current) || sideBranch(n, readers))) {
                projection(n);
                continue;
            } else {
                if (n.getInputCount() == 0 || !n.getInput(0).equals(current)) {
                    throw refuse(n, "does not take the previous layer's output (" + current + "); a translation takes "
                            + "a chain of layers whose only branches are residual adds");
                }
                for (int i = 1; i < n.getInputCount(); i++) {
                    if (!n.getInput(i).isEmpty() && !constants.containsKey(n.getInput(i))) {
                        throw refuse(n, "reads " + n.getInput(i) + ", which is neither a weight nor a constant");
                    }
                }
                translate(n);
            }
            current = n.getOutput(0);
            producer.put(current, layers.size() - 1);
            shapes.put(layers.size() - 1, flat ? TensorShape.vector(c) : TensorShape.map(c, h, w));
        }
        if (!projections.isEmpty()) {
            throw new DataContractException("teacher.onnx.model " + file.location() + " cannot be translated: "
                    + "convolution " + projections.keySet().iterator().next() + " on a side branch feeds no residual "
                    + "Add");
        }
        if (!current.equals(g.getOutput(0).getName())) {
            throw new DataContractException("teacher.onnx.model " + file.location() + " cannot be translated: its "
                    + "output " + g.getOutput(0).getName() + " is not the end of the chain of layers (" + current + ")");
        }
        if (!flat || layers.isEmpty() || !(layers.get(layers.size() - 1) instanceof LayerSpec.Dense d)
                || d.units() != classes) {
            throw new DataContractException("teacher.onnx.model " + file.location() + " cannot be translated: it must "
                    + "end in a Gemm of " + classes + " units, one per class");
        }
        return new Architecture("onnx-" + stem(file.fileName()), channels, height, width, classes, layers);
    }

    /**
     * Whether {@code conv}, which reads the chain's output, is a residual block's projection exported before the
     * block's first layer: a 1x1 convolution read only by an Add, whose input the chain also continues from through a
     * node that could not be that projection (a block whose body is one 1x1 convolution is taken as a chain layer).
     */
    private boolean sideBranch(OnnxMl.NodeProto conv, Map<String, List<OnnxMl.NodeProto>> readers) {
        List<OnnxMl.NodeProto> out = readers.getOrDefault(conv.getOutput(0), List.of());
        if (out.size() != 1 || !out.get(0).getOpType().equals("Add") || !projectionInto(conv, out.get(0), readers)) {
            return false;
        }
        OnnxMl.NodeProto add = out.get(0);
        return readers.getOrDefault(conv.getInput(0), List.of()).stream()
                .anyMatch(r -> r != conv && r != add && !projectionInto(r, add, readers));
    }

    /** Whether {@code n} is a 1x1 Conv whose output only {@code add} reads. */
    private boolean projectionInto(OnnxMl.NodeProto n, OnnxMl.NodeProto add,
                                   Map<String, List<OnnxMl.NodeProto>> readers) {
        OnnxMl.TensorProto weight = n.getOpType().equals("Conv") && n.getInputCount() > 1
                ? constants.get(n.getInput(1)) : null;
        List<OnnxMl.NodeProto> out = readers.getOrDefault(n.getOutput(0), List.of());
        return weight != null && weight.getDimsCount() == 4 && weight.getDims(2) == 1 && weight.getDims(3) == 1
                && out.size() == 1 && out.get(0) == add;
    }

    /**
     * A convolution off the chain: a residual block's 1x1 projection of an earlier layer's output, kept until the Add
     * that reads it.
     */
    private void projection(OnnxMl.NodeProto n) {
        OnnxMl.TensorProto weight = constants.get(n.getInput(1));
        List<Long> dims = weight == null ? List.of() : weight.getDimsList();
        List<Long> strides = ints(n, "strides", List.of(1L, 1L));
        boolean unpadded = ints(n, "pads", List.of(0L, 0L, 0L, 0L)).stream().allMatch(v -> v == 0)
                && string(n, "auto_pad", "NOTSET").equals("NOTSET");
        if (dims.size() != 4 || dims.get(2) != 1 || dims.get(3) != 1 || ints(n, "group", List.of(1L)).get(0) != 1
                || !unpadded || !strides.get(0).equals(strides.get(1))
                || ints(n, "dilations", List.of(1L, 1L)).stream().anyMatch(d -> d != 1)) {
            throw refuse(n, "branches off the chain at " + n.getInput(0) + " but is not a residual projection: "
                    + "a translation takes a 1x1, unpadded, ungrouped convolution with one stride there");
        }
        int filters = dims.get(0).intValue();
        float[] bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? floats(constants.get(n.getInput(2)))
                : new float[filters];
        projections.put(n.getOutput(0), new Projection(producer.get(n.getInput(0)), floats(weight), bias, filters,
                strides.get(0).intValue()));
    }

    /** A residual Add of the chain's output and an earlier layer's output, directly or through a projection. */
    private void add(OnnxMl.NodeProto n, String current) {
        if (n.getInputCount() != 2 || !(n.getInput(0).equals(current) || n.getInput(1).equals(current))) {
            throw refuse(n, "does not add the previous layer's output (" + current + ") to another tensor");
        }
        String other = n.getInput(0).equals(current) ? n.getInput(1) : n.getInput(0);
        Projection p = projections.remove(other);
        if (p != null) {
            layers.add(new LayerSpec.Add(p.from(), true));
            raw.put(layers.size() - 1, Map.of("w", p.weight(), "b", p.bias()));
            TensorShape from = shapes.get(p.from());
            TensorShape to = TensorShape.map(c, h, w);
            int stride;
            try {
                stride = flat ? -1 : Architecture.projectionStride(from, to, layers.size() - 1,
                        new LayerSpec.Add(p.from(), true));
            } catch (IllegalArgumentException e) {
                stride = -1;
            }
            if (flat || p.filters() != c || stride != p.stride()) {
                throw refuse(n, "adds a 1x1 projection of " + from + " to " + p.filters() + " channels with stride "
                        + p.stride() + " to " + (flat ? TensorShape.vector(c) : to) + "; the shapes do not meet");
            }
        } else if (producer.containsKey(other) && producer.get(other) < layers.size() - 1) {
            layers.add(new LayerSpec.Add(producer.get(other), false));
        } else {
            throw refuse(n, "adds " + other + ", which is neither the output of an earlier layer nor a 1x1 "
                    + "projection of one");
        }
    }

    private void translate(OnnxMl.NodeProto n) {
        if (flatInput && !n.getOpType().equals("Reshape") && !n.getOpType().equals("Dropout")
                && !n.getOpType().equals("Identity")) {
            flatInput = false;
            flatten();      // an MLP on the flat rows: Distillery flattens the image first
        }
        switch (n.getOpType()) {
            case "Dropout", "Identity" -> {
                // inference leaves the tensor as it is
            }
            case "Relu" -> layers.add(new LayerSpec.Relu());
            case "Conv" -> conv(n);
            case "MaxPool" -> pool(n, false);
            case "AveragePool" -> pool(n, true);
            case "GlobalAveragePool" -> {
                requireSpatial(n);
                layers.add(new LayerSpec.GlobalAvgPool());
                h = 1;
                w = 1;
            }
            case "Clip" -> clip(n);
            case "BatchNormalization" -> batchNorm(n);
            case "Flatten" -> {
                if (ints(n, "axis", List.of(1L)).get(0) != 1) {
                    throw refuse(n, "flattens from axis " + ints(n, "axis", List.of(1L)).get(0) + "; only axis 1 "
                            + "(each row on its own) is a Distillery layer");
                }
                flatten();
            }
            case "Reshape" -> reshape(n);
            case "Gemm" -> gemm(n);
            default -> throw refuse(n, "is not in the set a translation takes " + SUPPORTED);
        }
    }

    private void conv(OnnxMl.NodeProto n) {
        requireSpatial(n);
        OnnxMl.TensorProto weight = constants.get(n.getInput(1));
        List<Long> dims = weight.getDimsList();
        List<Long> kernel = ints(n, "kernel_shape", dims.subList(2, dims.size()));
        List<Long> strides = ints(n, "strides", List.of(1L, 1L));
        long group = ints(n, "group", List.of(1L)).get(0);
        if (kernel.size() != 2 || !kernel.get(0).equals(kernel.get(1)) || !strides.get(0).equals(strides.get(1))) {
            throw refuse(n, "has kernel " + kernel + " and strides " + strides + "; Distillery's convolutions are "
                    + "square with one stride");
        }
        if (ints(n, "dilations", List.of(1L, 1L)).stream().anyMatch(d -> d != 1)) {
            throw refuse(n, "is dilated; Distillery's convolutions are not");
        }
        int k = kernel.get(0).intValue();
        int s = strides.get(0).intValue();
        int outH = (h + s - 1) / s;
        int outW = (w + s - 1) / s;
        int top = Architecture.samePadBefore(h, k, s);
        int left = Architecture.samePadBefore(w, k, s);
        List<Long> same = List.of((long) top, (long) left,
                (long) Math.max((outH - 1) * s + k - h, 0) - top, (long) Math.max((outW - 1) * s + k - w, 0) - left);
        String autoPad = string(n, "auto_pad", "NOTSET");
        List<Long> pads = ints(n, "pads", List.of(0L, 0L, 0L, 0L));
        Integer pad = null;
        if (!(autoPad.equals("SAME_UPPER") || (autoPad.equals("NOTSET") && pads.equals(same)))) {
            long p = pads.get(0);
            if (!autoPad.equals("NOTSET") || pads.size() != 4 || pads.stream().anyMatch(v -> v != p) || p >= k
                    || h + 2 * p < k || w + 2 * p < k) {
                throw refuse(n, "pads " + (autoPad.equals("NOTSET") ? pads : autoPad) + " on a " + h + "x" + w
                        + " input; Distillery's convolutions pad SAME, which is " + same + " here, or the same number "
                        + "of zeros (less than the kernel) on every side");
            }
            pad = (int) p;
            outH = (h + 2 * pad - k) / s + 1;
            outW = (w + 2 * pad - k) / s + 1;
        }
        int filters = dims.get(0).intValue();
        Map<String, float[]> p = new HashMap<>();
        p.put("w", floats(weight));
        p.put("b", n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? floats(constants.get(n.getInput(2)))
                : new float[filters]);
        if (group == 1) {
            layers.add(new LayerSpec.Conv2d(filters, k, s, pad));
        } else if (group == c && filters == c && dims.get(1) == 1) {
            layers.add(new LayerSpec.DepthwiseConv2d(k, s, pad));
        } else {
            throw refuse(n, "has group " + group + " with " + filters + " filters on " + c + " channels; Distillery "
                    + "takes group 1 or a depthwise convolution (group = channels = filters)");
        }
        raw.put(layers.size() - 1, p);
        c = filters;
        h = outH;
        w = outW;
    }

    /** ReLU6 exports as Clip(0, 6): bounds as inputs (opset 11 on) or attributes (before). */
    private void clip(OnnxMl.NodeProto n) {
        float low = n.getInputCount() > 1 && !n.getInput(1).isEmpty() ? floats(constants.get(n.getInput(1)))[0]
                : n.getAttributeList().stream().filter(a -> a.getName().equals("min")).findFirst()
                .map(OnnxMl.AttributeProto::getF).orElse(Float.NEGATIVE_INFINITY);
        float high = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? floats(constants.get(n.getInput(2)))[0]
                : n.getAttributeList().stream().filter(a -> a.getName().equals("max")).findFirst()
                .map(OnnxMl.AttributeProto::getF).orElse(Float.POSITIVE_INFINITY);
        if (low != 0f || high != 6f) {
            throw refuse(n, "clips to [" + low + ", " + high + "]; only [0, 6] (ReLU6) is a Distillery layer");
        }
        layers.add(new LayerSpec.Relu6());
    }

    private void pool(OnnxMl.NodeProto n, boolean average) {
        requireSpatial(n);
        List<Long> kernel = ints(n, "kernel_shape", List.of());
        List<Long> strides = ints(n, "strides", List.of(1L, 1L));
        boolean padded = ints(n, "pads", List.of(0L, 0L, 0L, 0L)).stream().anyMatch(v -> v != 0)
                || !string(n, "auto_pad", "NOTSET").equals("NOTSET") || ints(n, "ceil_mode", List.of(0L)).get(0) != 0;
        if (kernel.size() != 2 || !kernel.get(0).equals(kernel.get(1)) || !strides.equals(kernel) || padded
                || ints(n, "dilations", List.of(1L, 1L)).stream().anyMatch(d -> d != 1)) {
            throw refuse(n, "has kernel " + kernel + ", strides " + strides + (padded ? " and padding" : "")
                    + "; Distillery's pools have a square window equal to their stride and no padding");
        }
        int k = kernel.get(0).intValue();
        if (h / k < 1 || w / k < 1) {
            throw refuse(n, "pools a " + h + "x" + w + " map with a " + k + "x" + k + " window");
        }
        layers.add(average ? new LayerSpec.AvgPool(k) : new LayerSpec.MaxPool(k));
        h /= k;
        w /= k;
    }

    private void batchNorm(OnnxMl.NodeProto n) {
        double epsilon = n.getAttributeList().stream().filter(a -> a.getName().equals("epsilon")).findFirst()
                .map(a -> (double) a.getF()).orElse(1e-5);
        Map<String, float[]> p = new HashMap<>();
        p.put("gamma", floats(constants.get(n.getInput(1))));
        p.put("beta", floats(constants.get(n.getInput(2))));
        p.put("mean", floats(constants.get(n.getInput(3))));
        p.put("var", floats(constants.get(n.getInput(4))));
        layers.add(new LayerSpec.BatchNorm(epsilon));
        raw.put(layers.size() - 1, p);
    }

    private void reshape(OnnxMl.NodeProto n) {
        long[] shape = longs(constants.get(n.getInput(1)));
        long size = (long) c * h * w;
        boolean toFlat = shape.length == 2 && (shape[0] <= 0 || shape[0] == 1) && (shape[1] == -1 || shape[1] == size);
        boolean toImage = shape.length == 4 && shape[1] == c && shape[2] == h && shape[3] == w;
        if (flatInput && toImage) {
            flatInput = false;  // the flat input as the image it is: Distillery's input is that image already
        } else if (flatInput && toFlat) {
            flatInput = false;
            flatten();
        } else if (toFlat && !flat) {
            flatten();
        } else if (!(toFlat && flat)) {
            throw refuse(n, "reshapes to " + java.util.Arrays.toString(shape) + "; a translation takes only a "
                    + "flattening reshape ([N, -1]) or, first, the flat input to [N, " + c + ", " + h + ", " + w
                    + "]");
        }
    }

    private void gemm(OnnxMl.NodeProto n) {
        if (!flat) {
            throw refuse(n, "multiplies a " + c + "x" + h + "x" + w + " map; flatten it first");
        }
        float alpha = floatAttr(n, "alpha");
        float beta = floatAttr(n, "beta");
        if (alpha != 1f || beta != 1f || ints(n, "transA", List.of(0L)).get(0) != 0) {
            throw refuse(n, "has alpha " + alpha + ", beta " + beta + " or transA; a dense layer is A x B + C");
        }
        OnnxMl.TensorProto b = constants.get(n.getInput(1));
        boolean transB = ints(n, "transB", List.of(0L)).get(0) != 0;
        int in = (int) (transB ? b.getDims(1) : b.getDims(0));
        int units = (int) (transB ? b.getDims(0) : b.getDims(1));
        if (in != c) {
            throw refuse(n, "takes " + in + " values, the previous layer gives " + c);
        }
        float[] weight = floats(b);
        if (transB) {
            weight = transpose(weight, units, in);
        }
        Map<String, float[]> p = new HashMap<>();
        p.put("w", weight);
        float[] bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? floats(constants.get(n.getInput(2)))
                : new float[units];
        if (bias.length != units) {
            throw refuse(n, "has a bias of " + bias.length + " values for " + units + " units");
        }
        p.put("b", bias);
        layers.add(new LayerSpec.Dense(units));
        raw.put(layers.size() - 1, p);
        c = units;
    }

    private void flatten() {
        if (!flat) {
            layers.add(new LayerSpec.Flatten());
            c = c * h * w;
            h = 1;
            w = 1;
            flat = true;
        }
    }

    private void requireSpatial(OnnxMl.NodeProto n) {
        if (flat) {
            throw refuse(n, "works on images, but its input is a flat vector here");
        }
    }

    /** A 1x1 projection convolution of layer {@code from}'s output, weights [O, I, 1, 1]. */
    private record Projection(int from, float[] weight, float[] bias, int filters, int stride) {
    }

    /** Parameters by Distillery's names and layouts. */
    private Map<String, float[]> params(Architecture arch) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (LayerInfo info : arch.layerInfos()) {
            Map<String, float[]> p = raw.get(info.index());
            if (p == null) {
                continue;
            }
            if (info.spec() instanceof LayerSpec.Conv2d conv) {
                out.put(info.weightName(), fromOihw(p.get("w"), conv.filters(), info.input().channels(), conv.kernel()));
                out.put(info.biasName(), p.get("b"));
            } else if (info.spec() instanceof LayerSpec.DepthwiseConv2d dw) {
                // [C, 1, kH, kW] -> [kH, kW, C, 1]
                out.put(info.weightName(), fromOihw(p.get("w"), info.input().channels(), 1, dw.kernel()));
                out.put(info.biasName(), p.get("b"));
            } else if (info.spec() instanceof LayerSpec.Dense) {
                out.put(info.weightName(), p.get("w"));
                out.put(info.biasName(), p.get("b"));
            } else if (info.spec() instanceof LayerSpec.Add) {
                // [O, I, 1, 1] -> [1, 1, I, O]
                out.put(info.weightName(), fromOihw(p.get("w"), info.weightShape()[3], info.weightShape()[2], 1));
                out.put(info.biasName(), p.get("b"));
            } else if (info.batchNorm()) {
                out.put(info.gammaName(), p.get("gamma"));
                out.put(info.betaName(), p.get("beta"));
                out.put(info.meanName(), p.get("mean"));
                out.put(info.varianceName(), p.get("var"));
            }
        }
        return out;
    }

    /** [O, I, kH, kW] to Distillery's [kH, kW, I, O]. */
    static float[] fromOihw(float[] oihw, int o, int i, int k) {
        float[] out = new float[oihw.length];
        for (int oo = 0; oo < o; oo++) {
            for (int ii = 0; ii < i; ii++) {
                for (int y = 0; y < k; y++) {
                    for (int x = 0; x < k; x++) {
                        out[((y * k + x) * i + ii) * o + oo] = oihw[((oo * i + ii) * k + y) * k + x];
                    }
                }
            }
        }
        return out;
    }

    private static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col++) {
                t[col * rows + r] = m[r * cols + col];
            }
        }
        return t;
    }

    private DataContractException refuse(OnnxMl.NodeProto n, String why) {
        return new DataContractException("teacher.onnx.model " + file.location() + " cannot be translated into "
                + "Distillery's layers: node " + (n.getName().isEmpty() ? n.getOutput(0) : n.getName()) + " ("
                + n.getOpType() + ") " + why);
    }

    private static List<Long> ints(OnnxMl.NodeProto n, String name, List<Long> fallback) {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getIntsCount() > 0 ? a.getIntsList() : List.of(a.getI());
            }
        }
        return fallback;
    }

    private static float floatAttr(OnnxMl.NodeProto n, String name) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .map(OnnxMl.AttributeProto::getF).orElse(1f);
    }

    private static String string(OnnxMl.NodeProto n, String name, String fallback) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .map(a -> a.getS().toStringUtf8()).orElse(fallback);
    }

    private static float[] floats(OnnxMl.TensorProto t) {
        if (t.getDataType() != OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
            throw new DataContractException("ONNX tensor " + t.getName() + " holds element type " + t.getDataType()
                    + "; a translation takes float32 weights");
        }
        if (!t.getRawData().isEmpty()) {
            float[] out = new float[t.getRawData().size() / Float.BYTES];
            ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
        float[] out = new float[t.getFloatDataCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.getFloatData(i);
        }
        return out;
    }

    private static long[] longs(OnnxMl.TensorProto t) {
        if (!t.getRawData().isEmpty()) {
            long[] out = new long[t.getRawData().size() / Long.BYTES];
            ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
            return out;
        }
        return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
    }

    private static String stem(String name) {
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name).toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-");
    }
}
