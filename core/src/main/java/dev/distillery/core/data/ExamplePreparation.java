package dev.distillery.core.data;

import dev.distillery.core.config.DataConfig;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.spark.SparkFailures;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * Turns raw inputs (IDX, CSV or Parquet) into the canonical example dataset: ids, float features, int labels and
 * a seeded, deterministic train/validation split; every contract is checked before anything is written.
 */
public final class ExamplePreparation {
    /**
     * Offset of test ids so that train and test ids never collide: Spark's generated ids stay below 2^62 for
     * fewer than 2^29 input partitions.
     */
    public static final long TEST_ID_OFFSET = 1L << 62;

    private static final org.apache.spark.sql.types.StructType ROW_SCHEMA = new org.apache.spark.sql.types.StructType(
            Arrays.copyOf(Examples.SCHEMA.fields(), 3));

    /**
     * Parquet statistics of the features column that nobody reads (min and max of a pixel, level histograms) but
     * every value of the dataset pays for; the path is the two-level list's, see {@link #writeSession}.
     */
    private static final String FEATURE_STATISTICS = "parquet.column.statistics.enabled#features.array";
    private static final String FEATURE_SIZE_STATISTICS = "parquet.size.statistics.enabled#features.array";

    private static final List<String> SPLITS = List.of(Examples.TRAIN, Examples.VALIDATION, Examples.TEST);

    private ExamplePreparation() {
    }

    /**
     * The session prepare reads and writes with: the caller's, with Spark's two-level list layout for the
     * features. A features array holds no nulls, so each value is written as one repeated float
     * ({@code repeated float array} inside the {@code LIST} group, one of the layouts the Parquet format lists for
     * lists) instead of a group per value. Prepare's write is about 10% faster, and readers that follow the
     * format's list rules (Spark, parquet-java, DuckDB: ExamplePreparationTest) read the same {@code array<float>}.
     * A child session, so the caller's settings stay as they were.
     */
    private static SparkSession writeSession(SparkSession spark) {
        SparkSession session = spark.newSession();
        session.conf().set("spark.sql.parquet.writeLegacyFormat", "true");
        return session;
    }

    public static DatasetInfo prepare(DataConfig cfg, long seed, SparkSession spark, Path outDir) {
        try {
            return prepareChecked(cfg, seed, spark, outDir);
        } catch (dev.distillery.core.error.DistilleryException e) {
            throw e;
        } catch (Exception e) {
            // Spark's job abort is a checked SparkException that Scala code throws undeclared, hence Exception here.
            // IDX files are decoded inside tasks: a truncated file fails there, and reaches here inside the abort.
            Optional<String> task = SparkFailures.taskError(e, DataContractException.class);
            if (task.isPresent()) {
                throw new DataContractException(task.get(), e);
            }
            // The schema is checked before any job, so what fails inside one is a value: a cell of a numeric column
            // that does not parse, an out-of-range label. That is bad input, not a transient failure.
            SparkFailures.Condition bad = SparkFailures.find(e, SparkFailures.BAD_VALUE).orElse(null);
            if (bad != null) {
                throw new DataContractException("data in " + expand(cfg.dir()) + " has a value prepare cannot read: "
                        + bad.firstLine(), e);
            }
            throw SparkFailures.<RuntimeException>rethrow(e);
        }
    }

    private static DatasetInfo prepareChecked(DataConfig cfg, long seed, SparkSession session, Path outDir) {
        SparkSession spark = writeSession(session);
        Path dir = expand(cfg.dir());
        int[] shape;
        Dataset<Row> train;
        Dataset<Row> test;
        switch (cfg.format()) {
            case "idx" -> {
                int[] hw = IdxReader.imageShape(dir.resolve(cfg.trainImages()));
                int[] testHw = IdxReader.imageShape(dir.resolve(cfg.testImages()));
                if (hw[0] != testHw[0] || hw[1] != testHw[1]) {
                    throw new DataContractException(dir.resolve(cfg.testImages()) + " holds " + testHw[0] + "x"
                            + testHw[1] + " images but " + dir.resolve(cfg.trainImages()) + " holds " + hw[0] + "x"
                            + hw[1] + "; train and test images must have the same shape");
                }
                shape = new int[]{1, hw[0], hw[1]};
                train = idx(spark, dir.resolve(cfg.trainImages()), dir.resolve(cfg.trainLabels()), cfg.trainLimit(), 0);
                test = idx(spark, dir.resolve(cfg.testImages()), dir.resolve(cfg.testLabels()), cfg.testLimit(),
                        TEST_ID_OFFSET);
            }
            case "csv", "parquet" -> {
                shape = cfg.shape().stream().mapToInt(Integer::intValue).toArray();
                train = tabular(spark, cfg, dir.resolve(cfg.trainFile()), cfg.trainLimit(), 0);
                test = tabular(spark, cfg, dir.resolve(cfg.testFile()), cfg.testLimit(), TEST_ID_OFFSET);
            }
            default -> throw new DataContractException("unsupported data.format " + cfg.format());
        }
        int featureLength = shape[0] * shape[1] * shape[2];
        int trainClasses;
        int testClasses;
        if (cfg.format().equals("idx")) {
            // IDX features are bytes scaled to [0, 1], h x w per record by the file's header, and labels unsigned
            // bytes: nothing to check but the class count, read from the label files alone (the costly per-value
            // checks of CSV and Parquet would decode every image once more)
            trainClasses = idxClasses(spark, dir.resolve(cfg.trainLabels()), cfg.trainLimit(), "train");
            testClasses = idxClasses(spark, dir.resolve(cfg.testLabels()), cfg.testLimit(), "test");
        } else {
            String labels = "label column '" + cfg.labelColumn() + "'";
            trainClasses = validate(train, "train", featureLength, labels);
            testClasses = validate(test, "test", featureLength, labels);
        }
        // checked above to be whole numbers in int range, so the cast cannot fail inside the write
        train = train.withColumn("label", col("label").cast(DataTypes.IntegerType));
        test = test.withColumn("label", col("label").cast(DataTypes.IntegerType));
        int numClasses = Math.max(trainClasses, testClasses);
        if (!cfg.classNames().isEmpty()) {
            if (cfg.classNames().size() < numClasses) {
                throw new DataContractException("data.class_names lists " + cfg.classNames().size()
                        + " classes but the data has labels up to " + (numClasses - 1));
            }
            numClasses = cfg.classNames().size();
        }
        Column bucket = pmod(xxhash64(col("id"), lit(seed)), lit(1_000_000L));
        Dataset<Row> trainSplit = train.withColumn("split",
                when(bucket.lt(lit(Math.round(cfg.validationFraction() * 1_000_000))), lit(Examples.VALIDATION))
                        .otherwise(lit(Examples.TRAIN)));
        Dataset<Row> all = trainSplit.unionByName(test.withColumn("split", lit(Examples.TEST)));
        // The rows per split, counted by the write's own tasks as the rows pass to the files (Spark's observed
        // metrics, merged from successful tasks only, and complete when the write returns), instead of a second job
        // over what was written.
        Observation written = new Observation("rows_per_split");
        Column[] perSplit = SPLITS.stream()
                .map(split -> sum(when(col("split").equalTo(lit(split)), 1L).otherwise(0L)).as(split))
                .toArray(Column[]::new);
        all.observe(written, perSplit[0], Arrays.copyOfRange(perSplit, 1, perSplit.length))
                .write().option(FEATURE_STATISTICS, "false").option(FEATURE_SIZE_STATISTICS, "false")
                .partitionBy("split").parquet(outDir.resolve(Examples.PARQUET_DIR).toString());
        Map<String, Long> counts = new LinkedHashMap<>();
        Row observed = written.getRow();
        for (String split : SPLITS) {
            int at = observed.fieldIndex(split);
            counts.put(split, observed.isNullAt(at) ? 0L : observed.getLong(at));     // a sum over no rows is null
        }
        List<String> names = cfg.classNames().isEmpty()
                ? java.util.stream.IntStream.range(0, numClasses).mapToObj(i -> "class " + i).toList()
                : cfg.classNames();
        DatasetInfo info = new DatasetInfo(shape[0], shape[1], shape[2], numClasses, names, counts,
                cfg.format() + ":" + dir);
        try {
            ManifestIO.json().writeValue(outDir.resolve(Examples.INFO_FILE).toFile(), info);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return info;
    }

    public static Path expand(String dir) {
        if (dir.equals("~") || dir.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + dir.substring(1));
        }
        return Path.of(dir);
    }

    /** Raw input files the dataset is made from, for the manifest's input hashes. */
    public static List<Path> inputFiles(DataConfig cfg) {
        Path dir = expand(cfg.dir());
        if (cfg.format().equals("idx")) {
            return List.of(dir.resolve(cfg.trainImages()), dir.resolve(cfg.trainLabels()),
                    dir.resolve(cfg.testImages()), dir.resolve(cfg.testLabels()));
        }
        return List.of(dir.resolve(cfg.trainFile()), dir.resolve(cfg.testFile()));
    }

    /**
     * IDX files decoded inside Spark tasks, each task its own range of records: the driver reads only the headers
     * (and checks that the files hold what they declare), so no relation of the whole dataset is built there or
     * shipped in tasks. One task per core, sliced as Spark slices a local relation, so the prepared files (and
     * everything trained from them) are the same as when the driver read the files itself; each task decodes its
     * records one at a time. Gzip cannot seek: a task of a gzipped file decompresses from the start to its range.
     */
    private static Dataset<Row> idx(SparkSession spark, Path images, Path labels, int limit, long idOffset) {
        int[] header = IdxReader.imageHeader(images);
        int labelCount = IdxReader.labelCount(labels);
        if (header[0] != labelCount) {
            throw new DataContractException(images + " holds " + header[0] + " images but " + labels + " holds "
                    + labelCount + " labels");
        }
        IdxReader.requireComplete(images);
        IdxReader.requireComplete(labels);
        int n = limit > 0 ? Math.min(limit, header[0]) : header[0];
        int tasks = Math.max(1, Math.min(spark.sparkContext().defaultParallelism(), n));
        List<int[]> ranges = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            ranges.add(new int[]{(int) ((long) n * t / tasks), (int) ((long) n * (t + 1) / tasks)});
        }
        String imageFile = images.toAbsolutePath().toString();
        String labelFile = labels.toAbsolutePath().toString();
        JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(ranges, ranges.size())
                .flatMap(range -> {
                    int[] y = IdxReader.readLabels(Path.of(labelFile), range[0], range[1]);
                    IdxReader.ImageCursor x = IdxReader.imageCursor(Path.of(imageFile), range[0], range[1]);
                    return new java.util.Iterator<Row>() {
                        private int i;

                        @Override
                        public boolean hasNext() {
                            return x.hasNext();
                        }

                        @Override
                        public Row next() {
                            Row row = RowFactory.create(idOffset + range[0] + i, x.next(), y[i]);
                            i++;
                            return row;
                        }
                    };
                });
        return spark.createDataFrame(rows, ROW_SCHEMA);
    }

    /** One more than the largest label among the first {@code limit} records (all when 0), read in Spark tasks. */
    private static int idxClasses(SparkSession spark, Path labels, int limit, String split) {
        int n = IdxReader.labelCount(labels);
        n = limit > 0 ? Math.min(limit, n) : n;
        if (n == 0) {
            throw new DataContractException("the " + split + " data has no rows");
        }
        int tasks = Math.max(1, Math.min(spark.sparkContext().defaultParallelism(), n / 1024));
        List<int[]> ranges = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            ranges.add(new int[]{(int) ((long) n * t / tasks), (int) ((long) n * (t + 1) / tasks)});
        }
        String file = labels.toAbsolutePath().toString();
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(ranges, ranges.size())
                .map(range -> java.util.Arrays.stream(IdxReader.readLabels(Path.of(file), range[0], range[1]))
                        .max().orElse(-1))
                .reduce(Math::max) + 1;
    }


    private static Dataset<Row> tabular(SparkSession spark, DataConfig cfg, Path file, int limit, long idOffset) {
        if (!Files.exists(file)) {
            throw new DataContractException("data file " + file + " does not exist");
        }
        Dataset<Row> raw;
        try {
            raw = cfg.format().equals("csv")
                    ? spark.read().option("header", cfg.csvHeader()).option("inferSchema", true).csv(file.toString())
                    : spark.read().parquet(file.toString());
        } catch (RuntimeException e) {
            throw new DataContractException("cannot read " + cfg.format() + " file " + file + ": " + e.getMessage(), e);
        }
        TabularColumns columns = TabularColumns.of(raw.schema(), cfg, file);
        Column features;
        if (columns.featuresArray()) {
            features = org.apache.spark.sql.functions.transform(
                    col(TabularColumns.ARRAY_COLUMN).cast(DataTypes.createArrayType(DataTypes.FloatType, false)),
                    v -> v.multiply(lit(cfg.featureScale())).cast(DataTypes.FloatType));
        } else {
            Column[] fs = columns.features().stream()
                    .map(c -> col("`" + c + "`").cast(DataTypes.FloatType).multiply(lit(cfg.featureScale()))
                            .cast(DataTypes.FloatType))
                    .toArray(Column[]::new);
            features = array(fs);
        }
        Dataset<Row> df = raw.select(features.as("features"), col("`" + cfg.labelColumn() + "`").as("label_raw"));
        if (limit > 0) {
            df = df.limit(limit);
        }
        return df.withColumn("id", monotonically_increasing_id().plus(lit(idOffset)))
                .select(col("id"), col("features"), col("label_raw").cast(DataTypes.DoubleType).as("label"));
    }

    /**
     * Checks feature lengths, NaN/Inf/null values and labels (any numeric type: each must be a whole number from
     * 0 within int range); returns the number of classes seen.
     */
    private static int validate(Dataset<Row> df, String split, int featureLength, String labels) {
        Column label = col("label").cast(DataTypes.DoubleType);
        Column notIndex = label.isNotNull().and(isnan(label).or(label.notEqual(floor(label)))
                .or(label.gt(lit((double) Integer.MAX_VALUE))));
        Row stats = df.agg(
                min(size(col("features"))).as("min_len"),
                max(size(col("features"))).as("max_len"),
                sum(when(exists(col("features"), v -> v.isNull().or(isnan(v))
                        .or(v.equalTo(lit(Float.POSITIVE_INFINITY))).or(v.equalTo(lit(Float.NEGATIVE_INFINITY)))), 1)
                        .otherwise(0)).as("bad_rows"),
                sum(when(col("label").isNull(), 1).otherwise(0)).as("null_labels"),
                min(when(org.apache.spark.sql.functions.not(notIndex), label)).as("min_label"),
                max(when(org.apache.spark.sql.functions.not(notIndex), label)).as("max_label"),
                sum(when(notIndex, 1).otherwise(0)).as("not_index"),
                max(when(notIndex, label)).as("a_non_index"),
                org.apache.spark.sql.functions.count(lit(1)).as("n")).first();
        long n = stats.getLong(stats.fieldIndex("n"));
        if (n == 0) {
            throw new DataContractException("the " + split + " data has no rows");
        }
        int minLen = stats.getInt(0);
        int maxLen = stats.getInt(1);
        if (minLen != featureLength || maxLen != featureLength) {
            throw new DataContractException("the " + split + " data should have " + featureLength
                    + " features per row (data.shape), found rows with " + minLen + " to " + maxLen);
        }
        long bad = stats.getLong(2);
        if (bad > 0) {
            throw new DataContractException("the " + split + " data has " + bad
                    + " rows with NaN, infinite or missing feature values");
        }
        if (stats.getLong(3) > 0) {
            throw new DataContractException("the " + split + " data has " + stats.getLong(3) + " rows without a label");
        }
        long nonIndices = stats.getLong(stats.fieldIndex("not_index"));
        if (nonIndices > 0) {
            throw new DataContractException("the " + split + " data has " + nonIndices + " rows whose " + labels
                    + " holds a value that is not a whole number in int range, e.g. "
                    + stats.get(stats.fieldIndex("a_non_index")) + "; labels must be class indices 0..K-1");
        }
        int minLabel = (int) stats.getDouble(4);
        int maxLabel = (int) stats.getDouble(5);
        if (minLabel < 0) {
            throw new DataContractException("the " + split + " data has negative label " + minLabel + " in its "
                    + labels + "; labels must be class indices 0..K-1");
        }
        return maxLabel + 1;
    }
}
