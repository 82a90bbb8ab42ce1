package dev.distillery.evaluation.report;

import dev.distillery.evaluation.cost.CostEstimate;
import dev.distillery.evaluation.profile.Citation;
import dev.distillery.evaluation.profile.HardwareProfile;

import java.util.List;
import java.util.Map;

import static dev.distillery.evaluation.report.Html.escape;

/**
 * Renders report.html as one self-contained page: inline CSS, the Apache ECharts library and the report's chart
 * data inlined as scripts, and no external references, so it can be mailed, archived or opened offline. The tables
 * carry every figure, so the page still reads without JavaScript.
 */
final class HtmlReport {
    private static final String CSS = String.join("\n",
            "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1200px;"
                    + "padding:0 1rem;color:#1d2329;line-height:1.4}",
            "h1{margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}",
            ".meta{color:#57606a}.meta code{background:#f3f4f6;padding:0 .3rem}",
            "table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}",
            "th,td{border:1px solid #d0d7de;padding:.3rem .55rem;text-align:left;vertical-align:top}",
            "th{background:#f3f4f6}td.num{text-align:right;font-variant-numeric:tabular-nums}",
            ".pass{color:#116329;font-weight:600}.fail{color:#b42318;font-weight:600}",
            ".reasons{color:#57606a;font-size:.85rem}",
            "tr.total td{font-weight:600;border-top:2px solid #8c959f}",
            ".assumed{background:#fff8c5;color:#6f4e00;border-radius:3px;padding:0 .3rem;font-size:.85rem}",
            ".charts{display:flex;flex-wrap:wrap;gap:1.5rem}",
            ".chart{width:560px;height:300px}.chart.wide{width:760px;height:380px}.chart.square{width:380px;"
                    + "height:400px}",
            "footer{margin-top:2rem;color:#57606a;font-size:.85rem}");

    private HtmlReport() {
    }

    static String render(Report report) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.append("<title>").append(escape(report.title())).append("</title>\n");
        h.append("<style>\n").append(CSS).append("\n</style>\n</head>\n<body>\n");
        h.append("<h1>").append(escape(report.title())).append("</h1>\n");
        h.append("<p class=\"meta\">Created ").append(escape(report.created().toString()))
                .append(" · config hash <code>").append(escape(report.configHash())).append("</code> · dataset: ")
                .append(escape(report.dataset())).append("</p>\n");

        variants(h, report);
        ablation(h, report);
        teachers(h, report);
        recommendations(h, report);
        deviceTable(h, "deployment", "Deployment", DeviceTables.DEPLOYMENT_NOTE, DeviceTables.deploymentHeaders(report),
                DeviceTables.deploymentRows(report));
        deviceTable(h, "measured", "Measured on emulated microcontroller cores", DeviceTables.MEASURED_NOTE,
                DeviceTables.measuredHeaders(), DeviceTables.measuredRows(report));
        for (int i = 0; i < report.profiles().size(); i++) {
            profile(h, report, report.profiles().get(i), i);
        }
        if (!report.notes().isEmpty()) {
            h.append("<h2>Notes</h2>\n<dl>\n");
            for (Map.Entry<String, String> e : report.notes().entrySet()) {
                h.append("<dt>").append(escape(e.getKey())).append("</dt><dd>").append(escape(e.getValue()))
                        .append("</dd>\n");
            }
            h.append("</dl>\n");
        }
        h.append("<footer>").append(escape(MarkdownReport.ESTIMATE_NOTE)).append(" Charts drawn with Apache ECharts ")
                .append(EChartsScript.VERSION).append(" (Apache License 2.0), inlined.</footer>\n");
        h.append("<script type=\"application/json\" id=\"report-data\">").append(ChartData.json(report))
                .append("</script>\n");
        h.append("<script>\n").append(EChartsScript.get()).append("\n</script>\n");
        h.append("<script>\n").append(chartsScript()).append("\n</script>\n");
        return h.append("</body>\n</html>\n").toString();
    }

    private static String chartsScript() {
        try (var in = HtmlReport.class.getResourceAsStream("charts.js")) {
            if (in == null) {
                throw new IllegalStateException("charts.js is missing from the class path");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("could not read charts.js", e);
        }
    }

    private static void variants(StringBuilder h, Report report) {
        List<Variant> vs = report.variants();
        h.append("<h2>Variants</h2>\n<table>\n");
        header(h, "Variant", "Kind", "Precision", "Accuracy (95% CI)", "ECE", "Teacher agreement", "Params", "Size",
                "MACs", "Sparsity", "Source");
        for (Variant v : vs) {
            h.append("<tr>").append(td(v.name() + (v.candidate() ? "" : " (reference)"))).append(td(v.kind()))
                    .append(td(v.precision().id())).append(num(Fmt.accuracyWithInterval(v))).append(num(Fmt.ece(v)))
                    .append(num(Fmt.agreement(v))).append(num(Fmt.count(v.params())))
                    .append(num(Fmt.bytes(v.sizeBytes()))).append(num(Fmt.count(v.macs())))
                    .append(num(Fmt.percent(v.sparsity())))
                    .append(td(v.source() == null ? "" : v.source().toString())).append("</tr>\n");
        }
        h.append("</table>\n<div class=\"charts\">\n");
        h.append("<div class=\"chart\" id=\"chart-size\"></div>\n<div class=\"chart\" id=\"chart-macs\"></div>\n");
        h.append("</div>\n");
        h.append("<h2>Per-class results and confusion matrices</h2>\n");
        h.append("<p class=\"meta\">Rows are true classes, columns predicted classes.</p>\n<div class=\"charts\">\n");
        for (int i = 0; i < vs.size(); i++) {
            if (vs.get(i).metrics() != null) {
                h.append("<div class=\"chart square\" id=\"chart-confusion-").append(i).append("\"></div>\n");
            }
        }
        h.append("</div>\n<table>\n");
        List<String> cols = new java.util.ArrayList<>(List.of("Variant"));
        int classes = vs.stream().filter(v -> v.metrics() != null).mapToInt(v -> v.metrics().numClasses()).max()
                .orElse(0);
        for (int c = 0; c < classes; c++) {
            cols.add(report.className(c) + " P / R");
        }
        header(h, cols.toArray(new String[0]));
        for (Variant v : vs) {
            if (v.metrics() == null) {
                continue;
            }
            h.append("<tr>").append(td(v.name()));
            for (int c = 0; c < v.metrics().numClasses(); c++) {
                h.append(num(String.format(java.util.Locale.ROOT, "%.2f / %.2f", v.metrics().precision().get(c),
                        v.metrics().recall().get(c))));
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
        costChecks(h, report);
    }

    private static void ablation(StringBuilder h, Report report) {
        h.append("<h2 id=\"ablation\">Ablation: what each technique added or cost</h2>\n");
        if (report.ablation().isEmpty()) {
            h.append("<p class=\"meta\">").append(escape(Ablation.NONE)).append("</p>\n");
            return;
        }
        h.append("<p class=\"meta\">").append(escape(Ablation.NOTE)).append("</p>\n<table class=\"ablation\">\n");
        header(h, "Step", "Relation", "Technique", "Accuracy", "Δ accuracy", "Params", "Weight bytes (dense)",
                "Weight bytes (sparse-encoded)", "File bytes", "MACs");
        for (AblationStep s : report.ablation()) {
            h.append(s.total() ? "<tr class=\"total\">" : "<tr>").append(td(Fmt.step(s))).append(td(s.relation()))
                    .append(td(Fmt.technique(s))).append(num(Fmt.accuracyChange(s)))
                    .append(gate(s.accuracyDeltaPoints() >= 0, Fmt.points(s.accuracyDeltaPoints())))
                    .append(num(Fmt.countChange(s.params()))).append(num(Fmt.bytesChange(s.weightBytes())))
                    .append(num(Fmt.bytesChange(s.sparseWeightBytes()))).append(num(Fmt.bytesChange(s.fileBytes())))
                    .append(num(Fmt.countChange(s.macs()))).append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void teachers(StringBuilder h, Report report) {
        Map<TeacherSet, List<String>> sets = TeacherSet.students(report.variants());
        if (sets.isEmpty()) {
            return;
        }
        h.append("<h2 id=\"teachers\">Teachers of the distilled students</h2>\n<table>\n");
        header(h, "Soft labels from", "Teachers", "Students distilled from them");
        sets.forEach((set, students) -> h.append("<tr>").append(td(set.mode())).append(td(set.describe()))
                .append(td(String.join(", ", students))).append("</tr>\n"));
        h.append("</table>\n");
        for (AblationStep s : Ablation.ensembleSteps(report)) {
            h.append("<h3>Ensemble against single teacher: ").append(escape(s.to())).append(" against ")
                    .append(escape(s.from())).append("</h3>\n<p>").append(escape(s.detail())).append(": ")
                    .append(escape(Fmt.points(s.accuracyDeltaPoints()))).append(" of test accuracy.</p>\n<table>\n");
            header(h, "Variant", "Soft labels from", "Accuracy (95% CI)", "Teacher agreement", "ECE");
            for (String name : List.of(s.from(), s.to())) {
                Variant v = report.variant(name).orElseThrow();
                h.append("<tr>").append(td(v.name())).append(td(v.teachers() == null ? ""
                                : v.teachers().mode() + ": " + v.teachers().describe()))
                        .append(num(Fmt.accuracyWithInterval(v))).append(num(Fmt.agreement(v)))
                        .append(num(Fmt.ece(v))).append("</tr>\n");
            }
            h.append("</table>\n");
        }
    }

    private static void costChecks(StringBuilder h, Report report) {
        if (report.costChecks().isEmpty()) {
            return;
        }
        h.append("<h2>Cost model against measured latency on this machine <code>").append(escape(report.hostProfile()))
                .append("</code></h2>\n<p class=\"meta\">Batch-1 wall-clock time per call, measured here, next to the "
                        + "host profile's roofline estimate; the error is (estimate - measured) / measured.</p>\n"
                        + "<table>\n");
        header(h, "Variant", "Runtime", "Measured median (ms)", "Measured p90 (ms)", "Estimated (ms)", "Error");
        for (CostCheck c : report.costChecks()) {
            h.append("<tr>").append(td(c.variant())).append(td(c.runtime())).append(num(Fmt.sig3(c.measuredMedianMs())))
                    .append(num(Fmt.sig3(c.measuredP90Ms()))).append(num(Fmt.sig3(c.estimatedMs())))
                    .append(num(Fmt.signedPercent(c.relativeError()))).append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void recommendations(StringBuilder h, Report report) {
        h.append("<h2>Recommended variant per profile</h2>\n<p class=\"meta\">The most accurate student that passes "
                + "every gate; the teacher is the reference, not a candidate.</p>\n<table>\n");
        header(h, "Profile", "Required", "Recommended", "Pareto front (accuracy vs latency)");
        for (HardwareProfile p : report.profiles()) {
            String chosen = report.recommended().get(p.id());
            boolean required = report.requiredProfiles().contains(p.id());
            h.append("<tr>").append(td(p.name())).append(td(Fmt.yesNo(required)))
                    .append(gate(chosen != null, chosen == null ? "none passes" : chosen))
                    .append(td(String.join(", ", report.pareto().getOrDefault(p.id(), List.of())))).append("</tr>\n");
        }
        h.append("</table>\n");
        if (!report.failedRequiredProfiles().isEmpty()) {
            h.append("<p class=\"fail\">Gate failed: required profile(s) ")
                    .append(escape(String.join(", ", report.failedRequiredProfiles())))
                    .append(" have no passing student variant.</p>\n");
        }
    }

    private static void profile(StringBuilder h, Report report, HardwareProfile p, int index) {
        h.append("<h2>").append(escape(p.name())).append(" <code>").append(escape(p.id())).append("</code></h2>\n");
        if (!p.description().isBlank()) {
            h.append("<p>").append(escape(p.description().strip())).append("</p>\n");
        }
        h.append("<p class=\"meta\">RAM ").append(escape(Fmt.bytes(p.ramBytes()))).append(" · flash ")
                .append(escape(Fmt.bytes(p.flashBytes()))).append(" · precisions ")
                .append(escape(p.precisions().toString())).append("</p>\n");
        if (!p.assumedFigures().isEmpty()) {
            h.append("<p class=\"meta\"><span class=\"assumed\">assumed</span> figures (no document states them;"
                    + " see the sources below): ").append(escape(String.join(", ", p.assumedFigures())))
                    .append("</p>\n");
        }
        h.append("<table>\n");
        header(h, "Variant", "Precision", "RAM needed", "Fits RAM", "Flash needed", "Fits flash",
                "Weights dense / sparse", "Latency (ms)", "Energy (µJ)", "Gate");
        List<ProfileRow> rows = report.rowsFor(p.id());
        for (ProfileRow r : rows) {
            CostEstimate c = r.cost();
            h.append("<tr>").append(td(r.variant() + (r.candidate() ? "" : " (reference)")))
                    .append(td(c.precision().id()))
                    .append(num(Fmt.bytes(c.ramBytes()))).append(gate(c.fitsRam(), Fmt.yesNo(c.fitsRam())))
                    .append(num(Fmt.bytes(c.flashBytes()))).append(gate(c.fitsFlash(), Fmt.yesNo(c.fitsFlash())))
                    .append(num(Fmt.bytes(c.weightBytes()) + " / " + Fmt.bytes(c.sparseWeightBytes())))
                    .append(num(Fmt.sig3(c.latencyMillis()))).append(num(Fmt.sig3(c.energyMicrojoules())))
                    .append("<td><span class=\"").append(r.passed() ? "pass\">pass" : "fail\">fail").append("</span>");
            if (!r.reasons().isEmpty()) {
                h.append("<div class=\"reasons\">").append(escape(String.join("; ", r.reasons()))).append("</div>");
            }
            h.append("</td></tr>\n");
        }
        h.append("</table>\n");
        if (rows.stream().anyMatch(r -> r.cost().latencyMillis().isPresent())) {
            h.append("<div class=\"chart wide\" id=\"chart-profile-").append(index).append("\"></div>\n");
        }
        h.append("<details><summary>Sources of these figures</summary>\n<ul>\n");
        for (Citation c : p.sources()) {
            // Addresses are shown as text, not links: the page makes no requests and has no external references.
            h.append("<li>").append(c.assumed() ? "<span class=\"assumed\">assumed</span> " : "")
                    .append("<strong>").append(escape(c.title())).append("</strong>")
                    .append(c.url() == null ? "" : " (<code>" + escape(c.url()) + "</code>)")
                    .append(" [").append(escape(String.join(", ", c.figures()))).append("]: ")
                    .append(escape(c.usedFor())).append("</li>\n");
        }
        h.append("</ul>\n</details>\n");
    }

    private static void deviceTable(StringBuilder h, String id, String title, String note, List<String> headers,
                                    List<List<String>> rows) {
        if (rows.isEmpty()) {
            return;
        }
        h.append("<h2 id=\"").append(id).append("\">").append(escape(title)).append("</h2>\n<p class=\"meta\">")
                .append(escape(note)).append("</p>\n<table>\n");
        header(h, headers.toArray(String[]::new));
        for (List<String> r : rows) {
            h.append("<tr>");
            r.forEach(c -> h.append(td(c)));
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void header(StringBuilder h, String... names) {
        h.append("<tr>");
        for (String n : names) {
            h.append("<th>").append(escape(n)).append("</th>");
        }
        h.append("</tr>\n");
    }

    private static String td(String text) {
        return "<td>" + escape(text) + "</td>";
    }

    private static String num(String text) {
        return "<td class=\"num\">" + escape(text) + "</td>";
    }

    private static String gate(boolean ok, String text) {
        return "<td class=\"" + (ok ? "pass" : "fail") + "\">" + escape(text) + "</td>";
    }
}
