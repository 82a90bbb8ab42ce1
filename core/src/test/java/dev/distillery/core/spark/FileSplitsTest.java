package dev.distillery.core.spark;

import dev.distillery.core.testing.TestSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.rand;
import static org.assertj.core.api.Assertions.assertThat;

class FileSplitsTest {
    @TempDir
    Path dir;

    /** Two files of about 16 MB, in row groups of about 256 KB (random floats barely compress). */
    private Dataset<Row> twoFiles(SparkSession spark) {
        org.apache.spark.sql.Column[] values = new org.apache.spark.sql.Column[200];
        for (int i = 0; i < values.length; i++) {
            values[i] = rand(i).cast("float");
        }
        spark.range(0, 40_000, 1, 2).select(col("id"), array(values).as("features"))
                .write().option("parquet.block.size", 256L << 10).parquet(dir.resolve("rows").toString());
        return spark.read().parquet(dir.resolve("rows").toString());
    }

    @Test
    void aPlannedScanGetsSeveralPartitionsPerSlotAndReadsEveryRowOnce() {
        SparkSession spark = TestSpark.get();
        Dataset<Row> rows = twoFiles(spark);
        int plain = rows.queryExecution().toRdd().getNumPartitions();
        var planned = FileSplits.planned(spark, () -> rows.select("id", "features").queryExecution().toRdd());

        assertThat(plain).as("one partition per file by default").isEqualTo(2);
        // Spark's floor of spark.sql.files.openCostInBytes (4 MB) per split limits 32 MB to about 8
        assertThat(planned.getNumPartitions()).isGreaterThanOrEqualTo(3 * spark.sparkContext().defaultParallelism());
        assertThat(planned.toJavaRDD().count()).isEqualTo(40_000);
        assertThat(planned.toJavaRDD().filter(r -> r.getArray(1).numElements() == 200).map(r -> r.getLong(0))
                .distinct().count()).isEqualTo(40_000);
        assertThat(spark.conf().contains(FileSplits.MIN_PARTITIONS)).as("the session's setting is restored").isFalse();
    }

    @Test
    void aSessionThatSetsTheMinimumItselfKeepsIt() {
        SparkSession spark = TestSpark.get();
        Dataset<Row> rows = twoFiles(spark);
        spark.conf().set(FileSplits.MIN_PARTITIONS, 2L);
        try {
            assertThat(FileSplits.planned(spark, () -> rows.queryExecution().toRdd()).getNumPartitions()).isEqualTo(2);
            assertThat(spark.conf().get(FileSplits.MIN_PARTITIONS)).isEqualTo("2");
        } finally {
            spark.conf().unset(FileSplits.MIN_PARTITIONS);
        }
    }
}
