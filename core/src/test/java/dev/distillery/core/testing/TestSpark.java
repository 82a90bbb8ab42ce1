package dev.distillery.core.testing;

import dev.distillery.core.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;

/** One shared local[2] SparkSession for every test in a JVM. */
public final class TestSpark {
    private static SparkSession spark;

    private TestSpark() {
    }

    public static synchronized SparkSession get() {
        if (spark == null) {
            spark = SparkSessions.getOrCreate("local[2]", "distillery-tests", 2);
        }
        return spark;
    }
}
