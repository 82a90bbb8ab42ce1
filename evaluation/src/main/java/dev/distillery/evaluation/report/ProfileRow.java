package dev.distillery.evaluation.report;

import dev.distillery.evaluation.cost.CostEstimate;

import java.util.List;
import java.util.OptionalDouble;

/**
 * The verdict on one variant for one hardware profile: its cost there and whether it passes that profile's gate.
 *
 * @param candidate     whether the variant may ship (false for the teacher, which is judged for reference only)
 * @param gate          the profile's thresholds
 * @param accuracyDrop  teacher accuracy minus this variant's; empty when the report has no teacher
 * @param reasons       why the gate failed (cost reasons first, then thresholds); empty when it passed
 */
public record ProfileRow(String variant, String profileId, boolean candidate, CostEstimate cost, GateThresholds gate,
                         OptionalDouble accuracyDrop, boolean passed, List<String> reasons) {

    public ProfileRow {
        reasons = List.copyOf(reasons);
        if (passed != reasons.isEmpty()) {
            throw new IllegalArgumentException("row " + variant + "/" + profileId
                    + ": a row passes exactly when it has no failure reasons");
        }
    }
}
