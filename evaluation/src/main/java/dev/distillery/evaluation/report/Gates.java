package dev.distillery.evaluation.report;

import dev.distillery.evaluation.cost.CostEstimate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The release rules: a variant passes on a profile when the profile runs it, it fits RAM and flash, and it meets
 * the profile's thresholds (minimum accuracy, maximum estimated latency, maximum accuracy drop against the
 * teacher) where set. The teacher is judged the same way for reference, but it is never a candidate: it cannot be
 * recommended, is not on the Pareto front, and does not satisfy a required profile.
 */
public final class Gates {

    private Gates() {
    }

    /**
     * Judges one variant on one profile from its cost estimate there.
     *
     * @param teacherAccuracy the teacher's accuracy on the same rows; empty when there is no teacher in the report
     */
    public static ProfileRow judge(Variant variant, CostEstimate cost, GateThresholds gate,
                                   OptionalDouble teacherAccuracy) {
        List<String> reasons = new ArrayList<>(cost.reasons());
        String profile = cost.profileId();
        if (gate.minAccuracy().isPresent() && variant.accuracy() < gate.minAccuracy().getAsDouble()) {
            reasons.add(String.format(Locale.ROOT, "accuracy %.4f is below min_accuracy %.4f for %s",
                    variant.accuracy(), gate.minAccuracy().getAsDouble(), profile));
        }
        if (gate.maxLatencyMs().isPresent() && cost.latencyMillis().isPresent()
                && cost.latencyMillis().getAsDouble() > gate.maxLatencyMs().getAsDouble()) {
            reasons.add(String.format(Locale.ROOT, "estimated latency %.4g ms is above max_latency_ms %.4g for %s",
                    cost.latencyMillis().getAsDouble(), gate.maxLatencyMs().getAsDouble(), profile));
        }
        OptionalDouble drop = teacherAccuracy.isPresent()
                ? OptionalDouble.of(teacherAccuracy.getAsDouble() - variant.accuracy()) : OptionalDouble.empty();
        if (gate.maxAccuracyDrop().isPresent() && variant.candidate()) {
            if (drop.isEmpty()) {
                reasons.add("max_accuracy_drop is set for " + profile + " but the report has no teacher to compare");
            } else if (drop.getAsDouble() > gate.maxAccuracyDrop().getAsDouble() + 1e-12) {
                reasons.add(String.format(Locale.ROOT,
                        "accuracy drop %.4f against the teacher is above max_accuracy_drop %.4f for %s",
                        drop.getAsDouble(), gate.maxAccuracyDrop().getAsDouble(), profile));
            }
        }
        return new ProfileRow(variant.name(), profile, variant.candidate(), cost, gate, drop, reasons.isEmpty(),
                reasons);
    }

    /**
     * The most accurate candidate that passes every gate on a profile; empty when none does. Ties go to the smaller
     * file, then the lower latency, then the name, so the choice is deterministic.
     */
    public static Optional<Variant> recommend(List<Variant> variants, List<ProfileRow> rows, String profileId) {
        Comparator<Variant> best = Comparator.comparingDouble(Variant::accuracy).reversed()
                .thenComparingLong(Variant::sizeBytes)
                .thenComparingDouble(v -> latency(rows, v.name(), profileId))
                .thenComparing(Variant::name);
        return variants.stream()
                .filter(Variant::candidate)
                .filter(v -> row(rows, v.name(), profileId).map(ProfileRow::passed).orElse(false))
                .min(best);
    }

    /**
     * The accuracy-latency Pareto front of a profile: candidates that run and fit there and that no other such
     * candidate beats on both accuracy (higher or equal) and estimated latency (lower or equal), ordered by
     * latency. Gate thresholds do not matter here: the front shows the trade-off itself.
     */
    public static List<String> paretoFront(List<Variant> variants, List<ProfileRow> rows, String profileId) {
        List<Variant> running = variants.stream()
                .filter(Variant::candidate)
                .filter(v -> row(rows, v.name(), profileId)
                        .map(r -> r.cost().runs() && r.cost().latencySeconds().isPresent()).orElse(false))
                .toList();
        List<Variant> front = new ArrayList<>();
        for (Variant v : running) {
            double lat = latency(rows, v.name(), profileId);
            boolean dominated = running.stream().anyMatch(o -> o != v
                    && o.accuracy() >= v.accuracy() && latency(rows, o.name(), profileId) <= lat
                    && (o.accuracy() > v.accuracy() || latency(rows, o.name(), profileId) < lat));
            if (!dominated) {
                front.add(v);
            }
        }
        front.sort(Comparator.comparingDouble((Variant v) -> latency(rows, v.name(), profileId))
                .thenComparing(Variant::name));
        return front.stream().map(Variant::name).toList();
    }

    private static Optional<ProfileRow> row(List<ProfileRow> rows, String variant, String profileId) {
        return rows.stream().filter(r -> r.profileId().equals(profileId) && r.variant().equals(variant)).findFirst();
    }

    private static double latency(List<ProfileRow> rows, String variant, String profileId) {
        return row(rows, variant, profileId)
                .map(r -> r.cost().latencySeconds().orElse(Double.MAX_VALUE)).orElse(Double.MAX_VALUE);
    }
}
