package dev.distillery.student.onnx;

import dev.distillery.core.engine.Engines;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OnnxExporterTest {
    @TempDir
    Path dir;

    @Test
    void onnxRuntimeReproducesTheSameDiffLogitsOfAConvDepthwisePoolDenseStudent() throws Exception {
        // separable-cnn has conv, a stride-2 depthwise conv with asymmetric SAME padding, max-pool and dense.
        ModelArtifact model = TestModels.trainedFloat(TestModels.separableCnn(), 300);
        Path file = dir.resolve("student.onnx");
        OnnxExporter.export(model, file);
        float[][] x = FashionMnist.testImages(200);

        float[][] expected = Engines.network().forInference(model.architecture(), model.params(), GraphHooks.NONE).logits(x);
        float[][] actual = runOnnx(file, x);

        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            for (int c = 0; c < 10; c++) {
                double err = Math.abs(actual[i][c] - expected[i][c]);
                // float32 engines may sum in different orders: relative 1e-4 plus a floor for logits near zero
                double tolerance = 1e-4 * Math.abs(expected[i][c]) + 1e-5;
                worst = Math.max(worst, err / tolerance);
                assertThat(err).as("image %d logit %d: onnx %s vs samediff %s", i, c, actual[i][c], expected[i][c])
                        .isLessThanOrEqualTo(tolerance);
            }
        }
        System.out.printf("onnx vs samediff: worst error %.3f of tolerance%n", worst);
    }

    @Test
    void declaresInputAndLogitsWithADynamicBatchDimensionAndOpset13() throws Exception {
        ModelArtifact model = TestModels.randomModel(TestModels.tinyCnn(), 1);
        byte[] bytes = OnnxExporter.toBytes(model);

        OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(bytes);
        assertThat(proto.getOpsetImport(0).getVersion()).isEqualTo(13);
        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(bytes, new OrtSession.SessionOptions())) {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            assertThat(inputs).containsOnlyKeys("input");
            assertThat(outputs).containsOnlyKeys("logits");
            assertThat(((TensorInfo) inputs.get("input").getInfo()).getShape()).containsExactly(-1, 784);
            assertThat(((TensorInfo) outputs.get("logits").getInfo()).getShape()).containsExactly(-1, 10);
        }
    }

    @Test
    void convWeightsAreTransposedToOutputInputHeightWidth() {
        // w[ky][kx][i][o] = distinct values so any misplaced element shows.
        int[] shape = {2, 3, 2, 4};
        float[] w = new float[2 * 3 * 2 * 4];
        for (int i = 0; i < w.length; i++) {
            w[i] = i;
        }

        float[] oihw = OnnxExporter.toOihw(w, shape);

        // o=1, i=0, ky=0, kx=1: source ((0*3+1)*2+0)*4+1 = 9, target ((1*2+0)*2+0)*3+1 = 13
        assertThat(oihw[13]).isEqualTo(9f);
        // o=0, i=1, ky=1, kx=0: source ((1*3+0)*2+1)*4+0 = 28, target ((0*2+1)*2+1)*3+0 = 9
        assertThat(oihw[9]).isEqualTo(28f);
        assertThat(oihw).containsExactlyInAnyOrder(w);
    }

    private static float[][] runOnnx(Path file, float[][] x) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(file.toString(), options);
                 OnnxTensor input = OnnxTensor.createTensor(env, x);
                 OrtSession.Result result = session.run(Map.of("input", input))) {
                return (float[][]) result.get(0).getValue();
            }
        }
    }
}
