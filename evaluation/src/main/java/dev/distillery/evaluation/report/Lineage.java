package dev.distillery.evaluation.report;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which variant a variant is compared with in the ablation table, and what one change separates them. A
 * {@value #DERIVED} variant was made from the other one's weights (pruned, quantized, converted); a
 * {@value #SIBLING} started from the same initial weights and was trained the same way except for the
 * technique (a distilled student against the hard-label baseline, an ensemble-distilled student against the
 * single-teacher one). Stages record it in the model files; evaluate resolves it to variant names.
 *
 * @param from       name of the variant compared with
 * @param techniques what changed, as ids such as {@code distillation}, {@code pruning}, {@code qat},
 *                   {@code integer-conversion}; several when intermediate models are not report variants
 * @param detail     the same in words, with the settings that matter
 */
public record Lineage(String from, String relation, List<String> techniques, String detail) {
    public static final String DERIVED = "derived";
    public static final String SIBLING = "sibling";
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]*");

    public Lineage {
        if (from == null || from.isBlank()) {
            throw new IllegalArgumentException("lineage names no variant it comes from");
        }
        if (!DERIVED.equals(relation) && !SIBLING.equals(relation)) {
            throw new IllegalArgumentException("lineage relation must be " + DERIVED + " or " + SIBLING + ", was "
                    + relation);
        }
        techniques = List.copyOf(techniques);
        if (techniques.isEmpty()) {
            throw new IllegalArgumentException("lineage from " + from + " names no technique");
        }
        for (String t : techniques) {
            if (t == null || !ID.matcher(t).matches()) {
                throw new IllegalArgumentException("lineage technique must be a lower-case id such as qat, was " + t);
            }
        }
        Objects.requireNonNull(detail, "detail");
    }
}
