package dev.distillery.evaluation.report;

import dev.distillery.evaluation.cost.CostEstimate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The release rules: a variant passes on a profile when the profile runs it, it fits RAM and flash, and its accuracy
 * reaches the profile's {@code min_accuracy} if one is set.
 */
public final class Gates {

    private Gates() {
    }

    /** Judges one variant on one profile from its cost estimate there. */
    public static ProfileRow judge(Variant variant, CostEstimate cost, Map<String, Double> minAccuracy) {
        List<String> reasons = new ArrayList<>(cost.reasons());
        Double threshold = minAccuracy.get(cost.profileId());
        if (threshold != null && variant.accuracy() < threshold) {
            reasons.add(String.format(Locale.ROOT, "accuracy %.4f is below min_accuracy %.4f for %s",
                    variant.accuracy(), threshold, cost.profileId()));
        }
        OptionalDouble min = threshold == null ? OptionalDouble.empty() : OptionalDouble.of(threshold);
        return new ProfileRow(variant.name(), cost.profileId(), cost, min, reasons.isEmpty(), reasons);
    }

    /**
     * The most accurate variant that runs and fits on a profile, whatever its accuracy gate says: when it fails the
     * gate, no other fitting variant can pass either, and the owner still wants to know the best candidate.
     * Ties go to the smaller file, then the lower latency, then the name, so the choice is deterministic.
     */
    public static Optional<Variant> recommend(List<Variant> variants, List<ProfileRow> rows, String profileId) {
        Comparator<Variant> best = Comparator.comparingDouble(Variant::accuracy).reversed()
                .thenComparingLong(Variant::sizeBytes)
                .thenComparingDouble(v -> latency(rows, v.name(), profileId))
                .thenComparing(Variant::name);
        return variants.stream()
                .filter(v -> rows.stream().anyMatch(r -> r.profileId().equals(profileId)
                        && r.variant().equals(v.name()) && r.cost().runs()))
                .min(best);
    }

    private static double latency(List<ProfileRow> rows, String variant, String profileId) {
        return rows.stream()
                .filter(r -> r.profileId().equals(profileId) && r.variant().equals(variant))
                .mapToDouble(r -> r.cost().latencySeconds().orElse(Double.MAX_VALUE))
                .findFirst().orElse(Double.MAX_VALUE);
    }
}
