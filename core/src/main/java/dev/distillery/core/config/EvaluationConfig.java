package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.InvalidConfigException;

import java.util.List;
import java.util.Map;

/**
 * Which hardware profiles to judge against, the per-profile gates (minimum accuracy, maximum latency, maximum
 * accuracy drop against the teacher), which profiles must have a passing variant, and how thoroughly to measure.
 *
 * @param hostProfile        the profile describing the machine evaluate runs on; measured latencies are compared
 *                           with its estimates
 * @param latencyRuns        timed batch-1 calls per variant and runtime (0 skips the measurement)
 * @param bootstrapResamples resamples of the accuracy confidence interval
 * @param downloadLinksBps   link name to bits per second: the report gives each recommendation's download time
 * @param inferencesPerDay   the inference rate at which the report gives each recommendation's energy per day
 */
public record EvaluationConfig(
        @JsonProperty("profiles_dir") String profilesDir,
        List<String> profiles,
        @JsonProperty("min_accuracy") Map<String, Double> minAccuracy,
        @JsonProperty("max_latency_ms") Map<String, Double> maxLatencyMs,
        @JsonProperty("max_accuracy_drop") Map<String, Double> maxAccuracyDrop,
        @JsonProperty("required_profiles") List<String> requiredProfiles,
        @JsonProperty("host_profile") String hostProfile,
        @JsonProperty("latency_runs") Integer latencyRuns,
        @JsonProperty("bootstrap_resamples") Integer bootstrapResamples,
        @JsonProperty("download_links_bps") Map<String, Double> downloadLinksBps,
        @JsonProperty("inferences_per_day") Double inferencesPerDay) {

    public EvaluationConfig {
        Check.required("evaluation.profiles_dir", profilesDir);
        Check.required("evaluation.profiles", profiles);
        if (profiles.isEmpty()) {
            throw new InvalidConfigException("evaluation.profiles must name at least one hardware profile");
        }
        profiles = List.copyOf(profiles);
        minAccuracy = perProfile("min_accuracy", minAccuracy, profiles);
        maxLatencyMs = perProfile("max_latency_ms", maxLatencyMs, profiles);
        maxAccuracyDrop = perProfile("max_accuracy_drop", maxAccuracyDrop, profiles);
        requiredProfiles = requiredProfiles == null ? List.of() : List.copyOf(requiredProfiles);
        for (var e : minAccuracy.entrySet()) {
            Check.range("evaluation.min_accuracy." + e.getKey(), e.getValue(), 0.0, 1.0, true);
        }
        for (var e : maxLatencyMs.entrySet()) {
            Check.positive("evaluation.max_latency_ms." + e.getKey(), e.getValue());
        }
        for (var e : maxAccuracyDrop.entrySet()) {
            Check.range("evaluation.max_accuracy_drop." + e.getKey(), e.getValue(), 0.0, 1.0, true);
        }
        for (String p : requiredProfiles) {
            if (!profiles.contains(p)) {
                throw new InvalidConfigException("evaluation.required_profiles names profile " + p
                        + " which is not in evaluation.profiles " + profiles);
            }
        }
        Check.required("evaluation.host_profile", hostProfile);
        latencyRuns = Check.nonNegative("evaluation.latency_runs", Check.required("evaluation.latency_runs",
                latencyRuns));
        bootstrapResamples = Check.required("evaluation.bootstrap_resamples", bootstrapResamples);
        if (bootstrapResamples < 10) {
            throw new InvalidConfigException("evaluation.bootstrap_resamples must be >= 10, was " + bootstrapResamples);
        }
        downloadLinksBps = downloadLinksBps == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(downloadLinksBps));
        for (var e : downloadLinksBps.entrySet()) {
            if (e.getValue() == null) {
                throw new InvalidConfigException("evaluation.download_links_bps." + e.getKey() + " has no value");
            }
            Check.positive("evaluation.download_links_bps." + e.getKey(), e.getValue());
        }
        inferencesPerDay = inferencesPerDay == null ? 0.0 : inferencesPerDay;
        Check.range("evaluation.inferences_per_day", inferencesPerDay, 0.0, 1e9, true);
    }

    private static Map<String, Double> perProfile(String key, Map<String, Double> values, List<String> profiles) {
        if (values == null) {
            return Map.of();
        }
        for (var e : values.entrySet()) {
            if (!profiles.contains(e.getKey())) {
                throw new InvalidConfigException("evaluation." + key + " names profile " + e.getKey()
                        + " which is not in evaluation.profiles " + profiles);
            }
            if (e.getValue() == null) {
                throw new InvalidConfigException("evaluation." + key + "." + e.getKey() + " has no value");
            }
        }
        return Map.copyOf(values);
    }
}
