package dev.distillery.engine.samediff;

import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ParamInit;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EngineKernelsTest {

    @Test
    void everyGraphRunsMaxPoolingWithoutOneDnnAndConvolutionsWithIt() {
        Architecture arch = new Architecture("pool-cnn", 1, 8, 8, 10, List.of(new LayerSpec.Conv2d(4, 3, 1),
                new LayerSpec.Relu(), new LayerSpec.MaxPool(2), new LayerSpec.Flatten(), new LayerSpec.Dense(10)));
        SameDiff sd = GraphBuilder.build(arch, ParamInit.he(arch, 1), GraphHooks.NONE);
        List<Listener> kernels = sd.getListeners().stream().filter(l -> l instanceof EngineKernels).toList();
        assertThat(kernels).hasSize(1);
        List<String> withoutOneDnn = new ArrayList<>();
        for (SameDiffOp op : sd.getOps().values()) {
            List<Boolean> calls = new ArrayList<>();
            kernels.get(0).preOpExecution(sd, null, op, recording(calls));
            if (!calls.isEmpty()) {
                assertThat(calls).containsOnly(false);
                withoutOneDnn.add(op.getOp().opName());
            }
        }
        assertThat(withoutOneDnn).containsExactly("maxpool2d");
        assertThat(EngineKernels.WITHOUT_ONEDNN).contains("maxpool2d_bp");
    }

    @Test
    void maxPoolingGivesTheSameOutputAndGradientWithEitherKernel() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 8, 8).subi(0.5);
        INDArray weights = Nd4j.rand(DataType.FLOAT, 4, 3, 4, 4);
        Map<String, INDArray> oneDnn = poolOutputAndGradient(x, weights, false);
        Map<String, INDArray> own = poolOutputAndGradient(x, weights, true);
        assertThat(own.get("out")).isEqualTo(oneDnn.get("out"));
        assertThat(own.get("x")).isEqualTo(oneDnn.get("x"));
        // each 2x2 window passes its gradient to exactly one input
        assertThat(own.get("x").neq(0).castTo(DataType.INT).sumNumber().intValue()).isEqualTo(4 * 3 * 4 * 4);
    }

    private static Map<String, INDArray> poolOutputAndGradient(INDArray x, INDArray weights, boolean engineKernels) {
        SameDiff sd = SameDiff.create();
        if (engineKernels) {
            sd.addListeners(new EngineKernels());
        }
        SDVariable in = sd.var("x", x.dup());
        SDVariable out = sd.cnn().maxPooling2d("out", in, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2)
                .paddingMode(PaddingMode.VALID).isNHWC(false).build());
        sd.setLossVariables(out.mul(sd.constant(weights)).sum().name());
        INDArray value = out.eval().dup();
        INDArray gradient = sd.calculateGradients(Map.of(), "x").get("x").dup();
        return Map.of("out", value, "x", gradient);
    }

    /** An op context that records what allowHelpers was told; nothing else of it is used. */
    private static OpContext recording(List<Boolean> calls) {
        return (OpContext) Proxy.newProxyInstance(OpContext.class.getClassLoader(), new Class<?>[]{OpContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("allowHelpers")) {
                        calls.add((Boolean) args[0]);
                    }
                    return null;
                });
    }
}
