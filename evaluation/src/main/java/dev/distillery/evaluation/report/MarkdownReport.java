package dev.distillery.evaluation.report;

import dev.distillery.evaluation.cost.CostEstimate;
import dev.distillery.evaluation.profile.HardwareProfile;

import java.util.List;
import java.util.Map;

/** Renders report.md: a variants table, the recommendations, then one fit/latency/energy/gate table per profile. */
final class MarkdownReport {
    static final String ESTIMATE_NOTE = "Latency and energy are roofline estimates from each profile's published or"
            + " derived figures (see its sources), not measurements on the device.";

    private MarkdownReport() {
    }

    static String render(Report report) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(text(report.title())).append("\n\n");
        md.append("- Created: ").append(report.created()).append('\n');
        md.append("- Config hash: `").append(report.configHash()).append("`\n");
        md.append("- Dataset: ").append(text(report.dataset())).append("\n\n");

        md.append("## Variants\n\n");
        table(md, List.of("Variant", "Kind", "Precision", "Accuracy (95% CI)", "ECE", "Teacher agreement", "Params",
                "Size", "MACs", "Sparsity", "Source"));
        for (Variant v : report.variants()) {
            row(md, List.of(v.name() + (v.candidate() ? "" : " (reference)"), v.kind(), v.precision().id(),
                    Fmt.accuracyWithInterval(v), Fmt.ece(v), Fmt.agreement(v), Fmt.count(v.params()),
                    Fmt.bytes(v.sizeBytes()), Fmt.count(v.macs()), Fmt.percent(v.sparsity()),
                    v.source() == null ? "" : v.source().toString()));
        }

        ablation(md, report);
        teachers(md, report);

        md.append("\n## Recommended variant per profile\n\n");
        md.append("The most accurate student that passes every gate; the teacher is the reference, not a candidate."
                + " The Pareto front lists the students no other student beats on both accuracy and estimated"
                + " latency, fastest first.\n\n");
        table(md, List.of("Profile", "Required", "Recommended", "Pareto front (accuracy vs latency)"));
        for (HardwareProfile p : report.profiles()) {
            String chosen = report.recommended().get(p.id());
            row(md, List.of(p.id(), Fmt.yesNo(report.requiredProfiles().contains(p.id())),
                    chosen == null ? "**none passes**" : chosen,
                    String.join(", ", report.pareto().getOrDefault(p.id(), List.of()))));
        }
        if (!report.failedRequiredProfiles().isEmpty()) {
            md.append("\n**Gate failed**: required profile(s) ").append(String.join(", ",
                    report.failedRequiredProfiles())).append(" have no passing student variant.\n");
        }

        deviceSections(md, report);

        md.append("\n## Per-class precision / recall\n\n");
        int classes = report.variants().stream().filter(v -> v.metrics() != null)
                .mapToInt(v -> v.metrics().numClasses()).max().orElse(0);
        List<String> head = new java.util.ArrayList<>(List.of("Variant"));
        for (int c = 0; c < classes; c++) {
            head.add(report.className(c));
        }
        table(md, head);
        for (Variant v : report.variants()) {
            if (v.metrics() == null) {
                continue;
            }
            List<String> cells = new java.util.ArrayList<>(List.of(v.name()));
            for (int c = 0; c < v.metrics().numClasses(); c++) {
                cells.add(String.format(java.util.Locale.ROOT, "%.2f / %.2f", v.metrics().precision().get(c),
                        v.metrics().recall().get(c)));
            }
            row(md, cells);
        }
        md.append("\nConfusion matrices are in report.json (`confusion`) and drawn in report.html.\n");

        if (!report.costChecks().isEmpty()) {
            md.append("\n## Cost model against measured latency on this machine (`").append(report.hostProfile())
                    .append("`)\n\n");
            table(md, List.of("Variant", "Runtime", "Measured median (ms)", "Measured p90 (ms)", "Estimated (ms)",
                    "Error of estimate"));
            for (CostCheck c : report.costChecks()) {
                row(md, List.of(c.variant(), c.runtime(), Fmt.sig3(c.measuredMedianMs()), Fmt.sig3(c.measuredP90Ms()),
                        Fmt.sig3(c.estimatedMs()), Fmt.signedPercent(c.relativeError())));
            }
        }

        for (HardwareProfile p : report.profiles()) {
            md.append("\n## ").append(text(p.name())).append(" (`").append(p.id()).append("`)\n\n");
            if (!p.description().isBlank()) {
                md.append(text(p.description().strip())).append("\n\n");
            }
            md.append("RAM ").append(Fmt.bytes(p.ramBytes())).append(", flash ").append(Fmt.bytes(p.flashBytes()))
                    .append(", precisions ").append(p.precisions()).append(".\n\n");
            if (!p.assumedFigures().isEmpty()) {
                md.append("Assumed figures (no document states them; see the profile's sources): ")
                        .append(String.join(", ", p.assumedFigures())).append(".\n\n");
            }
            table(md, List.of("Variant", "Precision", "RAM needed", "Fits RAM", "Flash needed", "Fits flash",
                    "Weights (dense / sparse)", "Latency (ms)", "Energy (µJ)", "Gate", "Reasons"));
            for (ProfileRow r : report.rowsFor(p.id())) {
                CostEstimate c = r.cost();
                row(md, List.of(r.variant() + (r.candidate() ? "" : " (reference)"), c.precision().id(),
                        Fmt.bytes(c.ramBytes()), Fmt.yesNo(c.fitsRam()), Fmt.bytes(c.flashBytes()),
                        Fmt.yesNo(c.fitsFlash()), Fmt.bytes(c.weightBytes()) + " / " + Fmt.bytes(c.sparseWeightBytes()),
                        Fmt.sig3(c.latencyMillis()), Fmt.sig3(c.energyMicrojoules()),
                        r.passed() ? "pass" : "**fail**", String.join("; ", r.reasons())));
            }
        }

        if (!report.notes().isEmpty()) {
            md.append("\n## Notes\n\n");
            for (Map.Entry<String, String> e : report.notes().entrySet()) {
                md.append("- **").append(text(e.getKey())).append("**: ").append(text(e.getValue())).append('\n');
            }
        }
        md.append('\n').append(ESTIMATE_NOTE).append('\n');
        return md.toString();
    }

    private static void deviceSections(StringBuilder md, Report report) {
        if (!report.deployments().isEmpty()) {
            md.append("\n## Deployment\n\n").append(DeviceTables.DEPLOYMENT_NOTE).append("\n\n");
            table(md, DeviceTables.deploymentHeaders(report));
            DeviceTables.deploymentRows(report).forEach(r -> row(md, r));
        }
        if (!report.deviceRows().isEmpty()) {
            md.append("\n## Measured on emulated microcontroller cores\n\n").append(DeviceTables.MEASURED_NOTE)
                    .append("\n\n");
            table(md, DeviceTables.measuredHeaders());
            DeviceTables.measuredRows(report).forEach(r -> row(md, r));
        }
    }

    private static void ablation(StringBuilder md, Report report) {
        md.append("\n## Ablation: what each technique added or cost\n\n");
        if (report.ablation().isEmpty()) {
            md.append(Ablation.NONE).append('\n');
            return;
        }
        md.append(Ablation.NOTE).append("\n\n");
        table(md, List.of("Step", "Relation", "Technique", "Accuracy", "Δ accuracy", "Params", "Weight bytes (dense)",
                "Weight bytes (sparse-encoded)", "File bytes", "MACs"));
        for (AblationStep s : report.ablation()) {
            row(md, List.of(s.total() ? "**" + Fmt.step(s) + "**" : Fmt.step(s), s.relation(), Fmt.technique(s),
                    Fmt.accuracyChange(s), Fmt.points(s.accuracyDeltaPoints()), Fmt.countChange(s.params()),
                    Fmt.bytesChange(s.weightBytes()), Fmt.bytesChange(s.sparseWeightBytes()),
                    Fmt.bytesChange(s.fileBytes()), Fmt.countChange(s.macs())));
        }
    }

    private static void teachers(StringBuilder md, Report report) {
        Map<TeacherSet, List<String>> sets = TeacherSet.students(report.variants());
        if (sets.isEmpty()) {
            return;
        }
        md.append("\n## Teachers of the distilled students\n\n");
        table(md, List.of("Soft labels from", "Teachers", "Students distilled from them"));
        sets.forEach((set, students) -> row(md, List.of(set.mode(), set.describe(), String.join(", ", students))));
        for (AblationStep s : Ablation.ensembleSteps(report)) {
            Variant single = report.variant(s.from()).orElseThrow();
            Variant ensemble = report.variant(s.to()).orElseThrow();
            md.append("\n### Ensemble against single teacher: ").append(s.to()).append(" against ").append(s.from())
                    .append("\n\n").append(text(s.detail())).append(": ").append(Fmt.points(s.accuracyDeltaPoints()))
                    .append(" of test accuracy.\n\n");
            table(md, List.of("Variant", "Soft labels from", "Accuracy (95% CI)", "Teacher agreement", "ECE"));
            for (Variant v : List.of(single, ensemble)) {
                row(md, List.of(v.name(), v.teachers() == null ? "" : v.teachers().mode() + ": "
                        + v.teachers().describe(), Fmt.accuracyWithInterval(v), Fmt.agreement(v), Fmt.ece(v)));
            }
        }
    }

    private static void table(StringBuilder md, List<String> headers) {
        row(md, headers);
        md.append('|');
        headers.forEach(h -> md.append(" --- |"));
        md.append('\n');
    }

    private static void row(StringBuilder md, List<String> cells) {
        md.append('|');
        for (String cell : cells) {
            md.append(' ').append(cell(cell)).append(" |");
        }
        md.append('\n');
    }

    // A pipe or newline inside a cell would end the cell or the row and shift every column after it.
    private static String cell(String s) {
        return text(s).replace("|", "\\|");
    }

    static String text(String s) {
        return s == null ? "" : s.replace("\r", " ").replace("\n", " ");
    }
}
