package dev.distillery.core.nn;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The training graphs' ReLU, {@code x * (x > 0)}, against the engine's own relu op: the same values and input
 * gradient.
 */
class ReluGraphTest {

    @Test
    void reluLayerMatchesTheEnginesReluInValueAndGradient() {
        // dense, ReLU, dense: the gradient at the first dense layer's output passes through the ReLU
        Architecture arch = new Architecture("relu-mlp", 1, 1, 6, 3, List.of(new LayerSpec.Flatten(), new LayerSpec.Dense(8),
                new LayerSpec.Relu(), new LayerSpec.Dense(3)));
        Map<String, float[]> params = ParamInit.he(arch, 7);
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 6).subi(0.5);
        SameDiff graph = GraphBuilder.build(arch, params, GraphHooks.NONE, true);
        SameDiff reference = GraphBuilder.build(arch, params, GraphHooks.NONE, true);
        // the reference: the same graph with the engine's relu op between the two dense layers
        Map<String, INDArray> got = valueAndGradient(graph, x, null);
        Map<String, INDArray> want = valueAndGradient(reference, x, arch);
        assertThat(got.get("logits")).isEqualTo(want.get("logits"));
        assertThat(got.get("gradient")).isEqualTo(want.get("gradient"));
        assertThat(got.get("gradient").sumNumber().doubleValue()).isNotZero();
        // the product form is what the training graph runs
        assertThat(graph.getOps().values().stream().map(op -> op.getOp().opName())).contains("multiply")
                .doesNotContain("relu");
    }

    private static Map<String, INDArray> valueAndGradient(SameDiff sd, INDArray x, Architecture referenceOf) {
        SDVariable hidden = sd.getVariable(GraphBuilder.outputName(1));
        SDVariable relu = referenceOf == null ? sd.getVariable(GraphBuilder.outputName(2)) : sd.nn().relu(hidden, 0.0);
        SDVariable logits = referenceOf == null ? sd.getVariable(GraphBuilder.LOGITS)
                : sd.nn().linear(relu, sd.getVariable(referenceOf.layerInfos().get(3).weightName()),
                sd.getVariable(referenceOf.layerInfos().get(3).biasName()));
        SDVariable loss = logits.mul(sd.constant(Nd4j.linspace(DataType.FLOAT, 1, 15, 15).reshape(5, 3))).sum();
        sd.setLossVariables(loss.name());
        INDArray value = logits.eval(Map.of(GraphBuilder.INPUT, x)).dup();
        INDArray gradient = sd.calculateGradients(Map.of(GraphBuilder.INPUT, x), GraphBuilder.outputName(1))
                .get(GraphBuilder.outputName(1)).dup();
        return Map.of("logits", value, "gradient", gradient);
    }
}
