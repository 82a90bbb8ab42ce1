package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.InvalidConfigException;

import java.util.List;
import java.util.Map;

/** Which hardware profiles to judge against, their accuracy gates, and which profiles must have a passing variant. */
public record EvaluationConfig(
        @JsonProperty("profiles_dir") String profilesDir,
        List<String> profiles,
        @JsonProperty("min_accuracy") Map<String, Double> minAccuracy,
        @JsonProperty("required_profiles") List<String> requiredProfiles) {

    public EvaluationConfig {
        Check.required("evaluation.profiles_dir", profilesDir);
        Check.required("evaluation.profiles", profiles);
        if (profiles.isEmpty()) {
            throw new InvalidConfigException("evaluation.profiles must name at least one hardware profile");
        }
        profiles = List.copyOf(profiles);
        minAccuracy = minAccuracy == null ? Map.of() : Map.copyOf(minAccuracy);
        requiredProfiles = requiredProfiles == null ? List.of() : List.copyOf(requiredProfiles);
        for (var e : minAccuracy.entrySet()) {
            if (!profiles.contains(e.getKey())) {
                throw new InvalidConfigException("evaluation.min_accuracy names profile " + e.getKey()
                        + " which is not in evaluation.profiles " + profiles);
            }
            Check.range("evaluation.min_accuracy." + e.getKey(), e.getValue(), 0.0, 1.0, true);
        }
        for (String p : requiredProfiles) {
            if (!profiles.contains(p)) {
                throw new InvalidConfigException("evaluation.required_profiles names profile " + p
                        + " which is not in evaluation.profiles " + profiles);
            }
        }
    }
}
