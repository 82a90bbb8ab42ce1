package dev.distillery.evaluation.report;

import dev.distillery.evaluation.cost.CostEstimate;
import dev.distillery.evaluation.metrics.ClassificationMetrics;
import dev.distillery.evaluation.profile.HardwareProfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Markdown model card for each recommended variant: what it is for, what data judged it, its metrics on that
 * data and on each device it was recommended for, its known limits, and where it came from.
 */
final class ModelCard {
    private ModelCard() {
    }

    /** Recommended variant name to the profiles it is recommended for, in report order. */
    static Map<String, List<String>> cards(Report report) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (HardwareProfile p : report.profiles()) {
            String v = report.recommended().get(p.id());
            if (v != null) {
                out.computeIfAbsent(v, k -> new ArrayList<>()).add(p.id());
            }
        }
        return out;
    }

    static String fileName(String variant) {
        return "model-card-" + variant.replaceAll("[^A-Za-z0-9._-]", "_") + ".md";
    }

    static String render(Report report, String variantName, List<String> profileIds) {
        Variant v = report.variant(variantName).orElseThrow();
        ClassificationMetrics m = v.metrics();
        StringBuilder md = new StringBuilder();
        md.append("# Model card: ").append(v.name()).append("\n\n");
        md.append("## Intended use\n\n");
        md.append("Image classification on inputs like the evaluation data below (").append(v.architecture().channels())
                .append('x').append(v.architecture().height()).append('x').append(v.architecture().width())
                .append(", ").append(v.architecture().numClasses()).append(" classes), deployed on the devices "
                        + "it was recommended for:\n\n");
        for (String id : profileIds) {
            HardwareProfile p = report.profiles().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
            md.append("- ").append(p.name()).append(" (`").append(id).append("`)\n");
        }
        md.append("\nIt is the most accurate student variant that passes every gate on those profiles. It is not "
                + "meant for inputs from another distribution, for other classes, or for decisions where an error "
                + "is costly without a human check.\n\n");

        md.append("## Data\n\n").append(MarkdownReport.text(report.dataset())).append("\n\n");

        md.append("## Metrics\n\n");
        md.append("| metric | value |\n| --- | --- |\n");
        md.append("| top-1 accuracy | ").append(Fmt.percent(v.accuracy()));
        if (m != null && m.accuracyInterval() != null) {
            md.append(" (95% bootstrap CI ").append(Fmt.percent(m.accuracyInterval().lower())).append(" to ")
                    .append(Fmt.percent(m.accuracyInterval().upper())).append(')');
        }
        md.append(" |\n");
        if (m != null) {
            md.append("| balanced accuracy | ").append(Fmt.percent(m.balancedAccuracy())).append(" |\n");
            if (m.calibrationError() != null) {
                md.append("| expected calibration error (15 bins) | ")
                        .append(String.format(Locale.ROOT, "%.4f", m.calibrationError())).append(" |\n");
            }
            if (m.teacherAgreement() != null) {
                md.append("| agreement with the teacher | ").append(Fmt.percent(m.teacherAgreement())).append(" |\n");
            }
        }
        md.append("| precision | ").append(v.precision().id()).append(" |\n");
        md.append("| parameters | ").append(Fmt.count(v.params())).append(" |\n");
        md.append("| model file | ").append(Fmt.bytes(v.sizeBytes())).append(" |\n");
        md.append("| MACs per inference | ").append(Fmt.count(v.macs())).append(" |\n\n");
        md.append("| profile | latency (ms, estimated) | RAM needed | flash needed | energy (µJ, estimated) |\n");
        md.append("| --- | --- | --- | --- | --- |\n");
        for (String id : profileIds) {
            CostEstimate c = report.row(v.name(), id).orElseThrow().cost();
            md.append("| ").append(id).append(" | ").append(Fmt.sig3(c.latencyMillis())).append(" | ")
                    .append(Fmt.bytes(c.ramBytes())).append(" | ").append(Fmt.bytes(c.flashBytes())).append(" | ")
                    .append(Fmt.sig3(c.energyMicrojoules())).append(" |\n");
        }
        md.append('\n');

        md.append("## Limits\n\n");
        if (m != null) {
            int worst = 0;
            for (int c = 1; c < m.numClasses(); c++) {
                if (m.recall().get(c) < m.recall().get(worst)) {
                    worst = c;
                }
            }
            md.append("- Weakest class: ").append(report.className(worst)).append(", recall ")
                    .append(Fmt.percent(m.recall().get(worst))).append(".\n");
            md.append("- Measured on ").append(Fmt.count(m.examples()))
                    .append(" test examples; the confidence interval above is the sampling uncertainty only.\n");
        }
        md.append("- Latency, RAM and energy on the devices are estimates from each profile's cited figures, not "
                + "measurements on the device.\n");
        if (v.sparsity() > 0) {
            md.append("- ").append(Fmt.percent(v.sparsity())).append(" of the weights are zero; the file stores "
                    + "them dense and the estimates assume dense kernels.\n");
        }
        md.append('\n');

        md.append("## Provenance\n\n");
        md.append("- Kind: ").append(v.kind()).append(", architecture `").append(v.architecture().name())
                .append("`\n");
        md.append("- File: ").append(v.source() == null ? "(in memory)" : "`" + v.source() + "`").append('\n');
        if (v.teachers() != null) {
            md.append("- Distilled from: ").append(v.teachers().mode()).append(", ")
                    .append(MarkdownReport.text(v.teachers().describe())).append('\n');
        }
        List<String> steps = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Variant at = v; at.lineage() != null && seen.add(at.name()); ) {
            steps.add(0, at.lineage().from() + " → " + at.name() + ": " + at.lineage().detail());
            var from = report.variant(at.lineage().from());
            if (from.isEmpty()) {
                break;
            }
            at = from.get();
        }
        if (!steps.isEmpty()) {
            md.append("- Made by (see the report's ablation table):\n");
            steps.forEach(s -> md.append("  - ").append(MarkdownReport.text(s)).append('\n'));
        }
        md.append("- Report: ").append(MarkdownReport.text(report.title())).append(", created ")
                .append(report.created()).append('\n');
        md.append("- Config hash: `").append(report.configHash()).append("`\n");
        report.notes().forEach((k, val) -> md.append("- ").append(MarkdownReport.text(k)).append(": ")
                .append(MarkdownReport.text(val)).append('\n'));
        return md.toString();
    }
}
