package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How Spark runs the pipeline: master URL, data-parallel workers, how often their parameters are averaged, and
 * whether the optimizer's moments are averaged with them every round or once per epoch, and how the learning rate
 * scales with the number of workers.
 */
public record SparkSettings(
        String master,
        int workers,
        @JsonProperty("averaging_frequency") int averagingFrequency,
        @JsonProperty("optimizer_sync") String optimizerSync,
        @JsonProperty("lr_scaling") String lrScaling,
        @JsonProperty("shuffle_partitions") int shufflePartitions) {

    public SparkSettings {
        Check.required("spark.master", master);
        Check.positive("spark.workers", workers);
        Check.positive("spark.averaging_frequency", averagingFrequency);
        Check.oneOf("spark.optimizer_sync", optimizerSync, java.util.List.of("round", "epoch"));
        Check.oneOf("spark.lr_scaling", lrScaling, java.util.List.of("none", "sqrt", "linear"));
        Check.positive("spark.shuffle_partitions", shufflePartitions);
    }

    /**
     * The factor the configured learning rates are multiplied by when the configured workers train in parallel.
     */
    public double learningRateScale() {
        return learningRateScale(workers);
    }

    /**
     * The factor the configured learning rates are multiplied by when {@code workers} partitions train in parallel:
     * averaging W workers' steps moves the weights about as far as one step, so W workers make 1/W of the sequential
     * progress per epoch that one process makes; {@code linear} scales by W (Goyal et al., 2017), {@code sqrt} by
     * the square root of W (the usual choice for Adam), {@code none} leaves the rate as configured.
     */
    public double learningRateScale(int workers) {
        return switch (lrScaling) {
            case "linear" -> workers;
            case "sqrt" -> Math.sqrt(workers);
            default -> 1.0;
        };
    }

    /** Whether Adam's moments travel with the parameters every round (else once per epoch). */
    public boolean syncOptimizerEveryRound() {
        return "round".equals(optimizerSync);
    }
}
