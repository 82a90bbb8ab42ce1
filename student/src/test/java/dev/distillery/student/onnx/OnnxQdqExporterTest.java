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

    @org.junit.jupiter.api.Test
    void largeCodesDoNotSaturateOnnxRuntimesEightBitKernels() throws Exception {
        // Every conv weight at the top code (127) and white pixels at the top input code (255): a kernel that adds
        // pairs of uint8 x int8 products in 16 bits with saturation (ONNX Runtime on AVX2 CPUs without VNNI) gets
        // 32,767 instead of 64,770 for each pair, and the logits move by far more than one step.
        ModelArtifact random = TestModels.randomModel(TestModels.tinyCnn(), 7);
        Map<String, float[]> params = new java.util.LinkedHashMap<>(random.params());
        String conv = random.architecture().layerInfos().get(0).weightName();
        float[] w = new float[params.get(conv).length];
        Arrays.fill(w, 0.1f);
        params.put(conv, w);
        ModelArtifact model = new ModelArtifact("student", random.architecture(), params, Map.of(), null);
        float[][] x = new float[120][];
        float[][] images = FashionMnist.testImages(100);
        for (int i = 0; i < x.length; i++) {
            x[i] = i < 20 ? filled(28 * 28, 1f) : images[i - 20];
        }
        IntegerModel integer = IntegerConverter.convert(model.withQuant(Calibration.calibrate(model, x, 8, 8)));
        Path file = dir.resolve("saturating.onnx");
        OnnxQdqExporter.export(integer, file);

        float[][] expected = new IntegerRuntime(integer).logits(x);
        float[][] actual = runOnnx(file, x);

        // the final layer's logits move by at most inputScale x weightScale x 127 per input code that rounds the
        // other way; allow two such codes
        var last = integer.layers().get(integer.layers().size() - 1);
        float maxScale = 0;
        for (float s : last.weightScale()) {
            maxScale = Math.max(maxScale, s);
        }
        double tolerance = 2 * last.inputScale() * maxScale * 127;
        for (int i = 0; i < x.length; i++) {
            for (int c = 0; c < 10; c++) {
                assertThat((double) actual[i][c]).as("row %d class %d", i, c)
                        .isCloseTo(expected[i][c], org.assertj.core.api.Assertions.within(tolerance));
            }
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    @ParameterizedTest(name = "int{0} weights")
    @ValueSource(ints = {8, 4})
    void weightsAreSymmetricCodesInUint8InitializersBehindPerChannelDequantizeLinear(int weightBits)
            throws Exception {
        ModelArtifact model = TestModels.randomModel(TestModels.tinyCnn(), 3);
        IntegerModel integer = IntegerConverter.convert(model.withQuant(
                Calibration.calibrate(model, FashionMnist.trainImages(16), weightBits, 8)));

        OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(OnnxQdqExporter.toBytes(integer));

        OnnxMl.TensorProto conv = proto.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals("L0_w_q")).findFirst().orElseThrow();
        assertThat(conv.getDataType()).isEqualTo(OnnxMl.TensorProto.DataType.UINT8.getNumber());
        assertThat(conv.getDimsList()).containsExactly(8L, 1L, 3L, 3L);
        int qmax = (1 << (weightBits - 1)) - 1;
        for (byte b : conv.getRawData().toByteArray()) {
            assertThat((b & 0xff) - OnnxQdqExporter.WEIGHT_ZERO_POINT).isBetween(-qmax, qmax);
        }
        OnnxMl.TensorProto zero = proto.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals("L0_w_zero")).findFirst().orElseThrow();
        assertThat(zero.getDataType()).isEqualTo(OnnxMl.TensorProto.DataType.UINT8.getNumber());
        for (byte b : zero.getRawData().toByteArray()) {
            assertThat(b & 0xff).isEqualTo(OnnxQdqExporter.WEIGHT_ZERO_POINT);
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
