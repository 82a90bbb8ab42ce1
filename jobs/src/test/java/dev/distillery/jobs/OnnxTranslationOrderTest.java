package dev.distillery.jobs;

import ai.onnx.proto.OnnxMl;
import dev.distillery.core.engine.Engines;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ParamInit;
import dev.distillery.student.onnx.OnnxExporter;
import dev.distillery.teacher.onnx.OnnxTeacherFile;
import dev.distillery.teacher.onnx.OnnxTranslation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A residual block with a 1x1 projection translates to the same layers whichever of the projection and the block's
 * body comes first in the graph's node order, including a body of one 1x1 convolution, which is just as much a
 * projection of the block's input as the shortcut is.
 */
class OnnxTranslationOrderTest {
    @ParameterizedTest(name = "body kernel {0}")
    @ValueSource(ints = {1, 3})
    void aProjectionBeforeOrAfterItsBlockTranslatesToTheSameModel(int kernel) throws Exception {
        Architecture arch = new Architecture("block", 1, 6, 6, 3, List.of(new LayerSpec.Conv2d(4, kernel, 1),
                new LayerSpec.Add(-1, true), new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Dense(3)));
        ModelArtifact model = new ModelArtifact("teacher", arch, ParamInit.he(arch, 7), Map.of(), null);
        OnnxMl.ModelProto exported = OnnxMl.ModelProto.parseFrom(OnnxExporter.toBytes(model));
        List<OnnxMl.NodeProto> nodes = new ArrayList<>(exported.getGraph().getNodeList());
        // the exporter writes the body, then the projection, then the Add; move the projection to the front
        int projection = -1;
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).getOpType().equals("Conv") && i > 0 && nodes.get(i - 1).getOpType().equals("Conv")) {
                projection = i;
            }
        }
        assertThat(projection).as("a projection after the body").isPositive();
        int body = projection - 1;
        nodes.add(body, nodes.remove(projection));
        byte[] moved = exported.toBuilder().setGraph(exported.getGraph().toBuilder().clearNode().addAllNode(nodes))
                .build().toByteArray();

        ModelArtifact asExported = translate(exported.toByteArray());
        ModelArtifact reordered = translate(moved);

        assertThat(asExported.architecture().layers()).isEqualTo(arch.layers());
        assertThat(reordered.architecture().layers()).isEqualTo(arch.layers());
        model.params().forEach((name, values) ->
                assertThat(asExported.params().get(name)).as(name).containsExactly(values));
        if (kernel == 3) {
            model.params().forEach((name, values) ->
                    assertThat(reordered.params().get(name)).as(name).containsExactly(values));
        }
        // with a 1x1 body the first 1x1 convolution in node order is taken as the body and the other as the
        // projection: the same sum, so the same logits
        float[][] rows = new float[16][36];
        java.util.Random random = new java.util.Random(3);
        for (float[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                row[i] = random.nextFloat();
            }
        }
        float[][] expected = logits(model, rows);
        float[][] actual = logits(reordered, rows);
        for (int r = 0; r < rows.length; r++) {
            assertThat(actual[r]).as("row " + r).containsExactly(expected[r], within(1e-5f));
        }
    }

    private static float[][] logits(ModelArtifact m, float[][] rows) {
        Network net = Engines.network().forInference(m.architecture(), m.params(), GraphHooks.NONE);
        return net.logits(rows);
    }

    private static ModelArtifact translate(byte[] onnx) {
        return OnnxTranslation.translate(OnnxTeacherFile.parse("block.onnx", onnx), "teacher", 1, 6, 6, 3);
    }
}
