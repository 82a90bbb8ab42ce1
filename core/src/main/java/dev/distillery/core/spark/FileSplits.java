package dev.distillery.core.spark;

import org.apache.spark.sql.SparkSession;

import java.util.function.Supplier;

/**
 * How Spark cuts Parquet input into tasks. Spark packs a scan's files into partitions of at most
 * {@code spark.sql.files.maxPartitionBytes}, or of a share of the input per task slot when that is smaller, and a
 * Parquet split can only end at a row group. A stage whose tasks are long (teacher inference) and few leaves a slot
 * idle while the last of them runs; asking for several partitions per slot lets the slots finish together.
 */
public final class FileSplits {
    /** Row group size of the prepared examples: small enough that a split per slot can be cut from one file. */
    public static final long ROW_GROUP_BYTES = 8L << 20;
    /** Partitions per task slot asked of a scan planned by {@link #planned}. */
    public static final int PARTITIONS_PER_SLOT = 8;
    static final String MIN_PARTITIONS = "spark.sql.files.minPartitionNum";

    private FileSplits() {
    }

    /**
     * Plans a scan (the supplier must build its physical plan, for example with {@code queryExecution().toRdd()})
     * with at least {@link #PARTITIONS_PER_SLOT} partitions per task slot where its row groups allow, unless the
     * session sets {@code spark.sql.files.minPartitionNum} itself. The session's setting is restored afterwards.
     */
    public static <T> T planned(SparkSession spark, Supplier<T> plan) {
        if (spark.conf().contains(MIN_PARTITIONS)) {
            return plan.get();
        }
        int slots = spark.sparkContext().defaultParallelism();
        spark.conf().set(MIN_PARTITIONS, Math.max(1, slots) * (long) PARTITIONS_PER_SLOT);
        try {
            return plan.get();
        } finally {
            spark.conf().unset(MIN_PARTITIONS);
        }
    }
}
