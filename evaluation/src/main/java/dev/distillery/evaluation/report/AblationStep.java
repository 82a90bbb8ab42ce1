package dev.distillery.evaluation.report;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One row of the ablation table: what one technique added or cost between two variants, in accuracy, parameters,
 * weight bytes (dense, and sparse-encoded, never one for the other), file bytes and MACs, each measured apart.
 *
 * @param relation     {@value Lineage#DERIVED} or {@value Lineage#SIBLING} (see {@link Lineage}),
 *                     {@value #ARCHITECTURE} for the teacher against the first student of a chain (another, smaller
 *                     network trained on its own), or {@value #TOTAL} for the teacher against the end of the
 *                     longest chain, every technique together
 * @param alternatives how many variants applied the same technique to the same model (e.g. six post-training
 *                     calibrations); the row shows the most accurate of them; 1 when there was no choice
 * @param weightBytes  weights, biases and scales at each variant's precision, stored dense
 * @param sparseWeightBytes the same with each layer in the smaller of dense and bitmap encoding
 * @param fileBytes    size of each variant's model file
 */
public record AblationStep(String from, String to, String relation, List<String> techniques, String detail,
                           int alternatives, double accuracyFrom, double accuracyTo, Change params,
                           Change weightBytes, Change sparseWeightBytes, Change fileBytes, Change macs,
                           double sparsityFrom, double sparsityTo) {
    public static final String ARCHITECTURE = "architecture";
    public static final String TOTAL = "total";
    private static final Set<String> RELATIONS = Set.of(Lineage.DERIVED, Lineage.SIBLING, ARCHITECTURE, TOTAL);

    public AblationStep {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (!RELATIONS.contains(relation)) {
            throw new IllegalArgumentException("ablation step " + from + " -> " + to + ": relation must be one of "
                    + RELATIONS + ", was " + relation);
        }
        techniques = List.copyOf(techniques);
        Objects.requireNonNull(detail, "detail");
        if (alternatives < 1) {
            throw new IllegalArgumentException("ablation step " + from + " -> " + to + ": alternatives must be >= 1, was "
                    + alternatives);
        }
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(weightBytes, "weightBytes");
        Objects.requireNonNull(sparseWeightBytes, "sparseWeightBytes");
        Objects.requireNonNull(fileBytes, "fileBytes");
        Objects.requireNonNull(macs, "macs");
    }

    /** Accuracy change in percentage points: positive when the technique helped. */
    public double accuracyDeltaPoints() {
        return (accuracyTo - accuracyFrom) * 100;
    }

    public boolean total() {
        return TOTAL.equals(relation);
    }

    /** A count or size before and after the step. */
    public record Change(long from, long to) {
        public Change {
            if (from < 0 || to < 0) {
                throw new IllegalArgumentException("a size or count cannot be negative, was " + from + " -> " + to);
            }
        }

        public long delta() {
            return to - from;
        }

        /** {@code to / from}: 0.25 is four times smaller; NaN when {@code from} is 0. */
        public double ratio() {
            return from == 0 ? Double.NaN : (double) to / from;
        }
    }
}
