package dev.distillery.core.spark;

import dev.distillery.core.engine.NativeAllocator;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Creates the pipeline's SparkSession, or joins the one spark-submit prepared. Native threading, JavaCPP memory and
 * C allocator settings ({@link NativeAllocator}) are applied to executors here so that every launch path gets them.
 */
public final class SparkSessions {
    private static final String JAVACPP_OPTIONS = "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Dorg.bytedeco.javacpp.maxBytes=0";

    /**
     * JVM flags the native engine needs on every executor: no JavaCPP physical-memory polling, and a young generation
     * small enough that its collections free the dead tensors' native buffers (the engine's NativeMemory).
     */
    public static final String NATIVE_JAVA_OPTIONS = NativeAllocator.YOUNG_GENERATION_OPTION + " "
            + JAVACPP_OPTIONS;

    private SparkSessions() {
    }

    /**
     * @param master master URL from the CLI or config; ignored when spark-submit already set {@code spark.master}
     */
    public static SparkSession getOrCreate(String master, String appName, int shufflePartitions) {
        SparkConf conf = new SparkConf(true);
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        if (!conf.contains("spark.master")) {
            builder.master(master);
        }
        String effectiveMaster = conf.contains("spark.master") ? conf.get("spark.master") : master;
        if (effectiveMaster.startsWith("local")) {
            builder.config("spark.ui.enabled", conf.get("spark.ui.enabled", "false"));
            builder.config("spark.driver.host", conf.get("spark.driver.host", "127.0.0.1"));
            builder.config("spark.driver.bindAddress", conf.get("spark.driver.bindAddress", "127.0.0.1"));
        }
        builder.config("spark.sql.shuffle.partitions", conf.get("spark.sql.shuffle.partitions",
                String.valueOf(shufflePartitions)));
        builder.config("spark.executorEnv.OMP_NUM_THREADS", conf.get("spark.executorEnv.OMP_NUM_THREADS", "1"));
        // the driver's own setting, where it has one, travels to the executors too
        NativeAllocator.ENVIRONMENT.forEach((name, value) -> builder.config("spark.executorEnv." + name,
                conf.get("spark.executorEnv." + name, System.getenv().getOrDefault(name, value))));
        String execOpts = conf.get("spark.executor.extraJavaOptions", "");
        if (!execOpts.contains("javacpp.maxPhysicalBytes")) {
            // the user's own young-generation size, where given, wins
            String own = execOpts.contains("MaxNewSize") || execOpts.contains("-Xmn") ? JAVACPP_OPTIONS
                    : NATIVE_JAVA_OPTIONS;
            builder.config("spark.executor.extraJavaOptions", (execOpts + " " + own).trim());
        }
        builder.config("spark.sql.parquet.compression.codec", conf.get("spark.sql.parquet.compression.codec", "zstd"));
        SparkSession spark = builder.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }
}
