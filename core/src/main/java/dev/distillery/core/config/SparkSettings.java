package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How Spark runs the pipeline: master URL, data-parallel workers, how often their parameters are averaged, and
 * whether the optimizer's moments are averaged with them every round or once per epoch.
 */
public record SparkSettings(
        String master,
        int workers,
        @JsonProperty("averaging_frequency") int averagingFrequency,
        @JsonProperty("optimizer_sync") String optimizerSync,
        @JsonProperty("shuffle_partitions") int shufflePartitions) {

    public SparkSettings {
        Check.required("spark.master", master);
        Check.positive("spark.workers", workers);
        Check.positive("spark.averaging_frequency", averagingFrequency);
        Check.oneOf("spark.optimizer_sync", optimizerSync, java.util.List.of("round", "epoch"));
        Check.positive("spark.shuffle_partitions", shufflePartitions);
    }

    /** Whether Adam's moments travel with the parameters every round (else once per epoch). */
    public boolean syncOptimizerEveryRound() {
        return "round".equals(optimizerSync);
    }
}
