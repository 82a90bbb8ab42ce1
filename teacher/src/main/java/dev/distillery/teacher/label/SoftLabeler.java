package dev.distillery.teacher.label;

import dev.distillery.core.error.DataContractException;
import dev.distillery.core.labels.SoftLabelFileWriter;
import dev.distillery.core.labels.SoftLabelRecord;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Batched teacher inference inside executors: every input row (and every augmented view of a training row) becomes
 * one row of raw teacher logits (temperature is applied later, at distillation). Executors write the soft-label
 * Parquet files themselves; only per-file row counts reach the driver.
 */
public final class SoftLabeler {
    /** Rows of {@link #label}: full logits, for inspection and tests. */
    public static final StructType SCHEMA = new StructType(new StructField[]{
            new StructField("id", DataTypes.LongType, false, Metadata.empty()),
            new StructField("view", DataTypes.IntegerType, false, Metadata.empty()),
            new StructField("label", DataTypes.IntegerType, false, Metadata.empty()),
            new StructField("split", DataTypes.StringType, false, Metadata.empty()),
            new StructField("logits", DataTypes.createArrayType(DataTypes.FloatType, false), false, Metadata.empty())
    });

    private SoftLabeler() {
    }

    /**
     * Fails fast, before any inference, when a row's feature count differs from the teacher's input or a feature
     * is NaN or infinite. One pass over the rows, aggregated in executors.
     */
    public static long checkInput(Dataset<Row> rows, ModelArtifact teacher) {
        int expected = teacher.architecture().inputSize();
        // A Java pass over Spark's binary rows: the same check as a SQL exists(...) lambda cost more than labelling,
        // because Spark evaluates such lambdas element by element through its interpreter.
        InputStats s = rows.select("id", "features").queryExecution().toRdd().toJavaRDD()
                .mapPartitions((FlatMapFunction<Iterator<InternalRow>, InputStats>) it -> {
                    InputStats p = InputStats.EMPTY;
                    while (it.hasNext()) {
                        p = p.add(it.next());
                    }
                    return List.of(p).iterator();
                })
                .fold(InputStats.EMPTY, InputStats::merge);
        if (s.rows() == 0) {
            throw new DataContractException("there are no rows to label: the prepared train and validation splits are "
                    + "empty");
        }
        if (s.minLength() != expected || s.maxLength() != expected) {
            throw new DataContractException("teacher " + teacher.architecture().name() + " expects " + expected
                    + " features per row, the data has rows with " + s.minLength() + " to " + s.maxLength());
        }
        if (s.nonFinite() > 0) {
            throw new DataContractException(s.nonFinite() + " rows have NaN or infinite features (first id "
                    + s.firstNonFiniteId() + "); the teacher's outputs on them would be meaningless. Fix the data and "
                    + "prepare again");
        }
        return s.rows();
    }

    /** One teacher, one view per row: the rows with their logits as a Dataset (nothing written). */
    public static Dataset<Row> label(SparkSession spark, ModelArtifact teacher, Dataset<Row> rows, int batchSize) {
        checkInput(rows, teacher);
        LabelSpec spec = new LabelSpec(batchSize, "mean-logits", 1, null, null);
        return label(spark, List.of(teacher), rows, spec);
    }

    /** Rows with their (combined) teacher logits, per view, as a Dataset (nothing written). */
    public static Dataset<Row> label(SparkSession spark, List<ModelArtifact> teachers, Dataset<Row> rows,
                                     LabelSpec spec) {
        Broadcast<List<byte[]>> models = broadcast(spark, teachers);
        MapPartitionsFunction<Row, Row> fn = it -> {
            LabelIterator labels = iterator(models.value(), new MappedIterator<>(it, ExampleRow::of), spec);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return labels.hasNext();
                }

                @Override
                public Row next() {
                    SoftLabelRecord r = labels.next();
                    return RowFactory.create(r.id(), r.view(), r.label(), r.split(), r.logits());
                }
            };
        };
        return rows.select("id", "features", "label", "split").mapPartitions(fn, Encoders.row(SCHEMA));
    }

    /**
     * Labels every row and writes {@code part-NNNNN.parquet} per input partition into {@code dir}, which every
     * executor must see (local disk in local mode, a shared file system on a cluster).
     * @return rows written
     */
    public static long write(SparkSession spark, List<ModelArtifact> teachers, Dataset<Row> rows, LabelSpec spec,
                             Path dir) {
        Broadcast<List<byte[]>> models = broadcast(spark, teachers);
        String folder = dir.toAbsolutePath().toString();
        // Spark's binary rows, not Row objects: each example's features are copied out in one call instead of being
        // boxed one by one into a Scala sequence.
        JavaRDD<InternalRow> examples = rows.select("id", "features", "label", "split").queryExecution().toRdd()
                .toJavaRDD();
        FlatMapFunction<Iterator<InternalRow>, Long> fn = it -> {
            TaskContext task = TaskContext.get();
            LabelIterator labels = iterator(models.value(), new MappedIterator<>(it, ExampleRow::of), spec);
            if (!labels.hasNext()) {
                return java.util.Collections.emptyIterator();
            }
            Path file = Path.of(folder, String.format("part-%05d.parquet", task.partitionId()));
            SoftLabelFileWriter out = SoftLabelFileWriter.open(file, spec.meta(),
                    "attempt-" + task.attemptNumber() + "-" + task.taskAttemptId());
            try {
                while (labels.hasNext()) {
                    out.write(labels.next());
                }
            } catch (RuntimeException | Error e) {
                out.abort();
                throw e;
            }
            out.close();
            return List.of(out.rows()).iterator();
        };
        long total = 0;
        for (long n : examples.mapPartitions(fn).collect()) {
            total += n;
        }
        return total;
    }

    private static Broadcast<List<byte[]>> broadcast(SparkSession spark, List<ModelArtifact> teachers) {
        List<byte[]> bytes = new ArrayList<>();
        for (ModelArtifact t : teachers) {
            bytes.add(ModelIO.toBytes(t));
        }
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(bytes);
    }

    private static LabelIterator iterator(List<byte[]> models, Iterator<ExampleRow> rows, LabelSpec spec) {
        List<ModelArtifact> teachers = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            teachers.add(ModelIO.fromBytes(models.get(i), "broadcast teacher " + i));
        }
        return new LabelIterator(rows, spec, new TeacherEnsemble(teachers, spec.ensemble()));
    }
}
