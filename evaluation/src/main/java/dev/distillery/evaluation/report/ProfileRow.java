package dev.distillery.evaluation.report;

import dev.distillery.evaluation.cost.CostEstimate;

import java.util.List;
import java.util.OptionalDouble;

/**
 * The verdict on one variant for one hardware profile: its cost there and whether it passes that profile's gate.
 *
 * @param minAccuracy the profile's accuracy threshold, empty when it has none
 * @param reasons     why the gate failed (cost reasons first, then accuracy); empty when it passed
 */
public record ProfileRow(String variant, String profileId, CostEstimate cost, OptionalDouble minAccuracy,
                         boolean passed, List<String> reasons) {

    public ProfileRow {
        reasons = List.copyOf(reasons);
        if (passed != reasons.isEmpty()) {
            throw new IllegalArgumentException("row " + variant + "/" + profileId
                    + ": a row passes exactly when it has no failure reasons");
        }
    }
}
