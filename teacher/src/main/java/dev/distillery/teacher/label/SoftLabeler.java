package dev.distillery.teacher.label;

import dev.distillery.core.labels.SoftLabelFileWriter;
import dev.distillery.core.labels.SoftLabelRecord;
import dev.distillery.core.model.ModelArtifact;
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
     * Fails, before any inference, when a row's feature count differs from the teacher's input or a feature is NaN
     * or infinite. One pass over the rows, aggregated in executors. ({@link #write} checks the same while it labels.)
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
        s.require(expected, teacher.architecture().name());
        return s.rows();
    }

    /** One teacher, one view per row: the rows with their logits as a Dataset (nothing written). */
    public static Dataset<Row> label(SparkSession spark, ModelArtifact teacher, Dataset<Row> rows, int batchSize) {
        checkInput(rows, teacher);
        LabelSpec spec = new LabelSpec(batchSize, "mean-logits", 1, null, null);
        return label(spark, List.of(TeacherModel.sameDiff(teacher)), rows, spec);
    }

    /** Rows with their (combined) teacher logits, per view, as a Dataset (nothing written). */
    public static Dataset<Row> label(SparkSession spark, List<TeacherModel> teachers, Dataset<Row> rows,
                                     LabelSpec spec) {
        Broadcast<List<TeacherModel>> models = broadcast(spark, teachers);
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

    /** What {@link #write} did: input examples read and soft-label rows written (views included). */
    public record Written(long examples, long rows) {
    }

    /** One task's part: rows written and what it saw of its input. */
    private record PartitionOutcome(long rows, InputStats input) implements java.io.Serializable {
    }

    /**
     * Labels every row and writes {@code part-NNNNN.parquet} per input partition into {@code dir}, which every
     * executor must see (local disk in local mode, a shared file system on a cluster). The input is checked in the
     * same pass: a partition stops labelling at its first row of the wrong feature count or with a NaN or infinite
     * feature (nothing of it reaches the teacher), removes its file and counts the rest; the driver then fails with
     * every bad row counted, and what other partitions wrote is left to the caller to discard.
     */
    public static Written write(SparkSession spark, List<TeacherModel> teachers, Dataset<Row> rows, LabelSpec spec,
                                Path dir) {
        int[] shape = teachers.get(0).shape();
        int expected = shape[0] * shape[1] * shape[2];
        Broadcast<List<TeacherModel>> models = broadcast(spark, teachers);
        String folder = dir.toAbsolutePath().toString();
        // Spark's binary rows, not Row objects: each example's features are copied out in one call instead of being
        // boxed one by one into a Scala sequence.
        JavaRDD<InternalRow> examples = rows.select("id", "features", "label", "split").queryExecution().toRdd()
                .toJavaRDD();
        FlatMapFunction<Iterator<InternalRow>, PartitionOutcome> fn = it -> {
            TaskContext task = TaskContext.get();
            CheckedExamples input = new CheckedExamples(it, expected);
            LabelIterator labels = iterator(models.value(), input, spec);
            if (!labels.hasNext()) {
                return List.of(new PartitionOutcome(0, input.drain())).iterator();
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
            if (input.failed()) {
                out.abort();
                return List.of(new PartitionOutcome(0, input.drain())).iterator();
            }
            out.close();
            return List.of(new PartitionOutcome(out.rows(), input.stats())).iterator();
        };
        long total = 0;
        InputStats seen = InputStats.EMPTY;
        for (PartitionOutcome o : examples.mapPartitions(fn).collect()) {
            total += o.rows();
            seen = seen.merge(o.input());
        }
        seen.require(expected, teachers.get(0).name());
        return new Written(seen.rows(), total);
    }

    private static Broadcast<List<TeacherModel>> broadcast(SparkSession spark, List<TeacherModel> teachers) {
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(new ArrayList<>(teachers));
    }

    private static LabelIterator iterator(List<TeacherModel> models, Iterator<ExampleRow> rows, LabelSpec spec) {
        return new LabelIterator(rows, spec, new TeacherEnsemble(models, spec.ensemble()));
    }
}
