package dev.distillery.teacher.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.distillery.core.error.DataContractException;
import dev.distillery.teacher.label.TeacherModel;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An ONNX teacher's model file as read and checked before any work: one float image input, one float output of
 * logits, a default-domain opset ONNX Runtime runs. Shapes use -1 for a dimension the file leaves open and are
 * empty when the file declares none (the dry run then checks what the model returns).
 *
 * @param location   where it was read from, for messages
 * @param graphName  the graph's name, or the file's name when the graph has none
 * @param opset      the default (ai.onnx) domain's opset
 * @param parameters values in the graph's initializers
 */
public record OnnxTeacherFile(String location, byte[] bytes, String sha256, String graphName, long opset,
                              long parameters, String inputName, List<Long> inputShape, List<Long> outputShape) {
    /** The oldest opset ONNX Runtime runs. */
    public static final long MIN_OPSET = 7;
    private static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT.getNumber();

    /** The file's name, the last part of its location: what reports call the teacher ("onnx:" and this name). */
    public String fileName() {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    /** Parses and checks the file's structure; a file that is no ONNX model fails naming what was found. */
    public static OnnxTeacherFile parse(String location, byte[] bytes) {
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new DataContractException("teacher.onnx.model " + location + " is not an ONNX model: its "
                    + bytes.length + " bytes do not parse as an ONNX ModelProto (" + e.getMessage() + ")", e);
        }
        if (model.getIrVersion() <= 0 || !model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new DataContractException("teacher.onnx.model " + location + " is not an ONNX model: expected an "
                    + "IR version and a graph with nodes, found IR version " + model.getIrVersion() + " and "
                    + (model.hasGraph() ? model.getGraph().getNodeCount() + " nodes" : "no graph"));
        }
        long opset = -1;
        for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || "ai.onnx".equals(o.getDomain())) {
                opset = o.getVersion();
            }
        }
        if (opset < MIN_OPSET) {
            throw new DataContractException("teacher.onnx.model " + location + " imports " + (opset < 0
                    ? "no default-domain (ai.onnx) opset" : "ai.onnx opset " + opset) + "; ONNX Runtime needs opset "
                    + MIN_OPSET + " or newer: export it again with a newer opset");
        }
        OnnxMl.GraphProto g = model.getGraph();
        Set<String> initializers = new HashSet<>();
        long parameters = 0;
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            initializers.add(t.getName());
            long n = 1;
            for (long d : t.getDimsList()) {
                n *= d;
            }
            parameters += n;
        }
        List<OnnxMl.ValueInfoProto> inputs = g.getInputList().stream()
                .filter(v -> !initializers.contains(v.getName())).toList();
        if (inputs.size() != 1) {
            throw new DataContractException("teacher.onnx.model " + location + " has " + inputs.size()
                    + " inputs " + inputs.stream().map(OnnxMl.ValueInfoProto::getName).toList()
                    + "; a teacher takes exactly one, the image batch");
        }
        if (g.getOutputCount() < 1) {
            throw new DataContractException("teacher.onnx.model " + location + " has no output; a teacher's first "
                    + "output is its logits");
        }
        OnnxMl.ValueInfoProto in = inputs.get(0);
        OnnxMl.ValueInfoProto out = g.getOutput(0);
        requireFloat(location, "input " + in.getName(), in);
        requireFloat(location, "output " + out.getName(), out);
        String name = g.getName().isBlank() ? location.substring(location.lastIndexOf('/') + 1) : g.getName();
        return new OnnxTeacherFile(location, bytes, dev.distillery.core.manifest.ManifestIO.sha256(bytes), name, opset, parameters,
                in.getName(), shape(in), shape(out));
    }

    /**
     * Fails unless the input takes prepared rows of {@code channels x height x width} in {@code layout} (or flat,
     * C*H*W values) and the output gives {@code classes} logits per row.
     */
    public void requireFits(TeacherModel.Layout layout, int channels, int height, int width, int classes) {
        List<Long> image = layout == TeacherModel.Layout.NCHW
                ? List.of((long) channels, (long) height, (long) width)
                : List.of((long) height, (long) width, (long) channels);
        List<Long> flat = List.of((long) channels * height * width);
        List<Long> perRow = inputShape.subList(Math.min(1, inputShape.size()), inputShape.size());
        if (!inputShape.isEmpty() && !matches(perRow, image) && !matches(perRow, flat)) {
            throw new DataContractException("teacher.onnx.model " + location + ": input " + inputName + " has shape "
                    + dims(inputShape) + "; the prepared data needs [N, " + dims(image).substring(1) + " ("
                    + layout.name() + ", teacher.onnx.layout) or [N, " + flat.get(0) + "]");
        }
        List<Long> outRow = outputShape.subList(Math.min(1, outputShape.size()), outputShape.size());
        long known = outRow.stream().filter(d -> d > 0).reduce(1L, (a, b) -> a * b);
        boolean open = outRow.stream().anyMatch(d -> d <= 0);
        if (!outputShape.isEmpty()
                && (outputShape.size() < 2 || (!open && known != classes) || (open && classes % known != 0))) {
            throw new DataContractException("teacher.onnx.model " + location + ": output has shape "
                    + dims(outputShape) + "; the prepared data has " + classes + " classes, so a teacher gives [N, "
                    + classes + "] logits");
        }
    }

    /** A shape's dimensions each equal the wanted ones, or are left open by the file. */
    private static boolean matches(List<Long> actual, List<Long> wanted) {
        if (actual.size() != wanted.size()) {
            return false;
        }
        for (int i = 0; i < actual.size(); i++) {
            if (actual.get(i) > 0 && !actual.get(i).equals(wanted.get(i))) {
                return false;
            }
        }
        return true;
    }

    static String dims(List<Long> shape) {
        return shape.stream().map(d -> d > 0 ? String.valueOf(d) : "?").toList().toString();
    }

    private static void requireFloat(String location, String what, OnnxMl.ValueInfoProto v) {
        if (!v.getType().hasTensorType() || v.getType().getTensorType().getElemType() != FLOAT) {
            throw new DataContractException("teacher.onnx.model " + location + ": " + what + " must be a float32 "
                    + "tensor, is " + (v.getType().hasTensorType() ? "a tensor of ONNX element type "
                    + v.getType().getTensorType().getElemType() : "not a tensor"));
        }
    }

    private static List<Long> shape(OnnxMl.ValueInfoProto v) {
        List<Long> dims = new ArrayList<>();
        if (v.getType().getTensorType().hasShape()) {
            for (OnnxMl.TensorShapeProto.Dimension d : v.getType().getTensorType().getShape().getDimList()) {
                dims.add(d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue() : -1L);
            }
        }
        return List.copyOf(dims);
    }
}
