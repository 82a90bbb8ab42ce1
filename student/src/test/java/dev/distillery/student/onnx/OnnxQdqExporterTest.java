package dev.distillery.student.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.student.quant.Calibration;
import dev.distillery.student.quant.CalibrationMethod;
import dev.distillery.student.quant.IntegerConverter;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.runtime.IntegerRuntime;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OnnxQdqExporterTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "int{0} conv/dense weights")
    @ValueSource(ints = {8, 4})
    void onnxRuntimeAgreesWithTheIntegerRuntimeOnTheQdqModel(int weightBits) throws Exception {
        // conv, max-pool before relu, a stride-2 depthwise conv, pointwise conv and two dense layers.
        ModelArtifact floatModel = TestModels.trainedFloat(TestModels.separableCnn(), 300);
        QuantSpec settings = new QuantSpec(weightBits, 8, Map.of(), Map.of(), false, 8);
        QuantSpec spec = Calibration.calibrate(floatModel, Arrays.copyOf(FashionMnist.trainImages(500), 500),
                settings, CalibrationMethod.MINMAX, 100);
        IntegerModel integer = IntegerConverter.convert(floatModel.withQuant(spec));
        Path file = dir.resolve("student-qdq.onnx");
        OnnxQdqExporter.export(integer, file);
        float[][] x = FashionMnist.testImages(1000);

        float[][] expected = new IntegerRuntime(integer).logits(x);
        float[][] actual = runOnnx(file, x);

        int agree = 0;
        for (int i = 0; i < x.length; i++) {
            agree += TestModels.argmax(actual[i]) == TestModels.argmax(expected[i]) ? 1 : 0;
        }
        System.out.printf("int%d QDQ in ONNX Runtime vs integer runtime: argmax agreement %d/%d%n", weightBits, agree,
                x.length);
        assertThat(agree).as("argmax agreement of 1000").isGreaterThanOrEqualTo(995);
    }

    @ParameterizedTest(name = "int{0} weights")
    @ValueSource(ints = {8, 4})
    void weightsAreInt8InitializersBehindPerChannelDequantizeLinear(int weightBits) throws Exception {
        ModelArtifact model = TestModels.randomModel(TestModels.tinyCnn(), 3);
        IntegerModel integer = IntegerConverter.convert(model.withQuant(
                Calibration.calibrate(model, FashionMnist.trainImages(16), weightBits, 8)));

        OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(OnnxQdqExporter.toBytes(integer));

        OnnxMl.TensorProto conv = proto.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals("L0_w_q")).findFirst().orElseThrow();
        assertThat(conv.getDataType()).isEqualTo(OnnxMl.TensorProto.DataType.INT8.getNumber());
        assertThat(conv.getDimsList()).containsExactly(8L, 1L, 3L, 3L);
        int qmax = (1 << (weightBits - 1)) - 1;
        for (byte b : conv.getRawData().toByteArray()) {
            assertThat((int) b).isBetween(-qmax, qmax);
        }
        assertThat(proto.getGraph().getNodeList()).filteredOn(n -> n.getOpType().equals("QuantizeLinear"))
                .hasSize(2); // the input and the relu after the conv
        assertThat(proto.getOpsetImport(0).getVersion()).isEqualTo(13);
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
