package dev.distillery.teacher.label;

import dev.distillery.core.error.DataContractException;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.nn.GraphHooks;
import dev.distillery.core.nn.SameDiffNet;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * Batched teacher inference inside executors: every input row becomes one row of raw teacher logits
 * (temperature is applied later, at distillation). Nothing is collected to the driver.
 */
public final class SoftLabeler {
    public static final StructType SCHEMA = new StructType(new StructField[]{
            new StructField("id", DataTypes.LongType, false, Metadata.empty()),
            new StructField("label", DataTypes.IntegerType, false, Metadata.empty()),
            new StructField("split", DataTypes.StringType, false, Metadata.empty()),
            new StructField("logits", DataTypes.createArrayType(DataTypes.FloatType, false), false, Metadata.empty())
    });

    private SoftLabeler() {
    }

    /** @param rows id, features, label, split */
    public static Dataset<Row> label(SparkSession spark, ModelArtifact teacher, Dataset<Row> rows, int batchSize) {
        int expected = teacher.architecture().inputSize();
        Row lengths = rows.agg(org.apache.spark.sql.functions.min(org.apache.spark.sql.functions.size(col("features"))),
                org.apache.spark.sql.functions.max(org.apache.spark.sql.functions.size(col("features")))).first();
        if (!lengths.isNullAt(0) && (lengths.getInt(0) != expected || lengths.getInt(1) != expected)) {
            throw new DataContractException("teacher " + teacher.architecture().name() + " expects " + expected
                    + " features per row, the data has rows with " + lengths.getInt(0) + " to " + lengths.getInt(1));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> model = jsc.broadcast(ModelIO.toBytes(teacher));
        MapPartitionsFunction<Row, Row> fn = it -> infer(model.value(), it, batchSize);
        return rows.select("id", "features", "label", "split").mapPartitions(fn, Encoders.row(SCHEMA));
    }

    private static Iterator<Row> infer(byte[] modelBytes, Iterator<Row> rows, int batchSize) {
        ModelArtifact teacher = ModelIO.fromBytes(modelBytes, "broadcast teacher");
        SameDiffNet net = SameDiffNet.forInference(teacher.architecture(), teacher.params(), GraphHooks.NONE);
        return new Iterator<>() {
            private final List<Row> buffer = new ArrayList<>();
            private int pos;

            @Override
            public boolean hasNext() {
                if (pos < buffer.size()) {
                    return true;
                }
                buffer.clear();
                pos = 0;
                List<Row> batch = new ArrayList<>(batchSize);
                while (rows.hasNext() && batch.size() < batchSize) {
                    batch.add(rows.next());
                }
                if (batch.isEmpty()) {
                    return false;
                }
                float[][] x = new float[batch.size()][];
                for (int i = 0; i < x.length; i++) {
                    x[i] = dev.distillery.core.data.Rows.floats(batch.get(i), 1);
                }
                float[][] logits = net.logits(x);
                for (int i = 0; i < x.length; i++) {
                    Row r = batch.get(i);
                    buffer.add(RowFactory.create(r.getLong(0), r.getInt(2), r.getString(3), logits[i]));
                }
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return buffer.get(pos++);
            }
        };
    }
}
