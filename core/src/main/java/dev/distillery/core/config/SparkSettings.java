package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How Spark runs the pipeline: master URL, data-parallel workers and how often their parameters are averaged. */
public record SparkSettings(
        String master,
        int workers,
        @JsonProperty("averaging_frequency") int averagingFrequency,
        @JsonProperty("shuffle_partitions") int shufflePartitions) {

    public SparkSettings {
        Check.required("spark.master", master);
        Check.positive("spark.workers", workers);
        Check.positive("spark.averaging_frequency", averagingFrequency);
        Check.positive("spark.shuffle_partitions", shufflePartitions);
    }
}
