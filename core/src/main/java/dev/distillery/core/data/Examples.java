package dev.distillery.core.data;

import dev.distillery.core.error.DataContractException;
import dev.distillery.core.manifest.ManifestIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * The canonical example dataset every stage reads: Parquet with {@code id: long, features: array<float>,
 * label: int}, partitioned by {@code split} (train, validation, test), beside a {@code dataset.json}.
 */
public final class Examples {
    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";
    public static final String TEST = "test";
    public static final String PARQUET_DIR = "examples";
    public static final String INFO_FILE = "dataset.json";

    public static final StructType SCHEMA = new StructType(new StructField[]{
            new StructField("id", DataTypes.LongType, false, Metadata.empty()),
            new StructField("features", DataTypes.createArrayType(DataTypes.FloatType, false), false, Metadata.empty()),
            new StructField("label", DataTypes.IntegerType, false, Metadata.empty()),
            new StructField("split", DataTypes.StringType, false, Metadata.empty())
    });

    private Examples() {
    }

    public static DatasetInfo info(Path preparedDir) {
        Path file = preparedDir.resolve(INFO_FILE);
        if (!Files.isRegularFile(file)) {
            throw new DataContractException("prepared dataset " + preparedDir + " has no " + INFO_FILE
                    + "; run the prepare stage first");
        }
        try {
            return ManifestIO.json().readValue(file.toFile(), DatasetInfo.class);
        } catch (IOException e) {
            throw new DataContractException(file + " is corrupt: " + e.getMessage(), e);
        }
    }

    /** Rows of one split: id, features, label. */
    public static Dataset<Row> load(SparkSession spark, Path preparedDir, String split) {
        Path parquet = preparedDir.resolve(PARQUET_DIR);
        if (!Files.isDirectory(parquet)) {
            throw new DataContractException("prepared dataset " + parquet + " does not exist; run the prepare stage first");
        }
        return spark.read().parquet(parquet.toString())
                .where(col("split").equalTo(split))
                .select("id", "features", "label");
    }

    /** Collects a (small) split to the driver, ordered by id. */
    public static LocalExamples collect(Dataset<Row> rows) {
        List<Row> list = rows.orderBy("id").collectAsList();
        long[] ids = new long[list.size()];
        float[][] x = new float[list.size()][];
        int[] y = new int[list.size()];
        for (int i = 0; i < list.size(); i++) {
            Row r = list.get(i);
            ids[i] = r.getLong(r.fieldIndex("id"));
            x[i] = Rows.floats(r, r.fieldIndex("features"));
            y[i] = r.getInt(r.fieldIndex("label"));
        }
        return new LocalExamples(ids, x, y);
    }

    /** A split held in driver memory. */
    public record LocalExamples(long[] ids, float[][] features, int[] labels) {
        public int size() {
            return labels.length;
        }

        public LocalExamples head(int n) {
            int k = Math.min(n, size());
            return new LocalExamples(java.util.Arrays.copyOf(ids, k), java.util.Arrays.copyOf(features, k),
                    java.util.Arrays.copyOf(labels, k));
        }
    }
}
