package dev.distillery.teacher;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.config.ConfigLoader;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.model.ParamInit;
import dev.distillery.core.engine.Network;
import dev.distillery.core.testing.TestSpark;
import dev.distillery.teacher.arch.TeacherArchitecture;
import dev.distillery.teacher.label.SoftLabeler;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TeacherTest {
    private static final DatasetInfo FASHION = new DatasetInfo(1, 28, 28, 10, List.of(), Map.of(), "test");
    private static final StructType ROWS = new StructType().add("id", DataTypes.LongType)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false)).add("label", DataTypes.IntegerType)
            .add("split", DataTypes.StringType);

    private static ModelArtifact teacher() {
        var cfg = ConfigLoader.fromTree(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(),
                List.of("teacher.conv_filters=[4, 8]", "teacher.dense_units=16"), "test");
        Architecture a = TeacherArchitecture.of(cfg.teacher(), FASHION);
        return new ModelArtifact("teacher", a, ParamInit.he(a, 1), Map.of(), null);
    }

    @Test
    void defaultTeacherIsTheConv32Conv64Dense128Network() {
        var cfg = ConfigLoader.fromTree(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(),
                List.of(), "test");
        assertThat(TeacherArchitecture.of(cfg.teacher(), FASHION).parameterCount()).isEqualTo(421_642);
    }

    @Test
    void labelsEveryRowOnceWithTheTeachersOwnLogits() {
        ModelArtifact t = teacher();
        List<Row> rows = new ArrayList<>();
        float[][] x = new float[37][784];
        for (int i = 0; i < 37; i++) {
            for (int j = 0; j < 784; j++) {
                x[i][j] = ((i * 31 + j * 7) % 255) / 255f;
            }
            rows.add(RowFactory.create((long) i, x[i], i % 10, "train"));
        }
        var df = TestSpark.get().createDataFrame(rows, ROWS).repartition(3);
        List<Row> out = SoftLabeler.label(TestSpark.get(), t, df, 8).orderBy("id").collectAsList();
        assertThat(out).hasSize(37);
        float[][] expected = Engines.network().forInference(t.architecture(), t.params(), GraphHooks.NONE).logits(x);
        for (int i = 0; i < 37; i++) {
            Row r = out.get(i);
            assertThat(r.getLong(0)).isEqualTo(i);
            assertThat(r.getInt(1)).isZero();
            float[] logits = dev.distillery.core.data.Rows.floats(r, 4);
            for (int k = 0; k < 10; k++) {
                assertThat(logits[k]).isCloseTo(expected[i][k], org.assertj.core.api.Assertions.within(1e-4f));
            }
        }
    }

    @Test
    void labelRejectsFeaturesOfTheWrongLength() {
        List<Row> rows = List.of(RowFactory.create(1L, new float[100], 0, "train"));
        var df = TestSpark.get().createDataFrame(rows, ROWS);
        assertThatThrownBy(() -> SoftLabeler.label(TestSpark.get(), teacher(), df, 8))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining("expects 784 features").hasMessageContaining("100");
    }

    @Test
    void ensembleOfMeanProbabilitiesGivesLogitsWhoseSoftmaxIsTheMeanDistribution() {
        float[][] a = {{2f, 0f, -1f}};
        float[][] b = {{-1f, 1f, 0.5f}};
        float[][] mean = dev.distillery.teacher.label.TeacherEnsemble.combine(List.of(a, b), "mean-probabilities");
        double[] pa = softmax(a[0]);
        double[] pb = softmax(b[0]);
        double[] pm = softmax(mean[0]);
        for (int c = 0; c < 3; c++) {
            assertThat(pm[c]).isCloseTo((pa[c] + pb[c]) / 2, org.assertj.core.api.Assertions.within(1e-6));
        }
        float[][] logits = dev.distillery.teacher.label.TeacherEnsemble.combine(List.of(a, b), "mean-logits");
        assertThat(logits[0]).containsExactly(0.5f, 0.5f, -0.25f);
    }

    private static double[] softmax(float[] z) {
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i]);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
