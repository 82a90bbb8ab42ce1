package dev.distillery.evaluation.report;

import dev.distillery.evaluation.cost.CostEstimate;
import dev.distillery.evaluation.profile.Citation;
import dev.distillery.evaluation.profile.HardwareProfile;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.distillery.evaluation.report.Html.escape;

/**
 * Renders report.html as one self-contained page: inline CSS, inline SVG charts, no scripts and no external
 * references, so it can be mailed, archived or opened offline and always looks the same.
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
            ".charts{display:flex;flex-wrap:wrap;gap:1.5rem}",
            ".chart .bar{fill:#4f7cac}.chart text{font-size:12px;fill:#1d2329}.chart .chart-title{font-weight:600}",
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
        recommendations(h, report);
        for (HardwareProfile p : report.profiles()) {
            profile(h, report, p);
        }
        if (!report.notes().isEmpty()) {
            h.append("<h2>Notes</h2>\n<dl>\n");
            for (Map.Entry<String, String> e : report.notes().entrySet()) {
                h.append("<dt>").append(escape(e.getKey())).append("</dt><dd>").append(escape(e.getValue()))
                        .append("</dd>\n");
            }
            h.append("</dl>\n");
        }
        h.append("<footer>").append(escape(MarkdownReport.ESTIMATE_NOTE)).append("</footer>\n");
        return h.append("</body>\n</html>\n").toString();
    }

    private static void variants(StringBuilder h, Report report) {
        List<Variant> vs = report.variants();
        h.append("<h2>Variants</h2>\n<table>\n");
        header(h, "Variant", "Kind", "Precision", "Accuracy", "Params", "Size", "MACs", "Sparsity", "Source");
        for (Variant v : vs) {
            h.append("<tr>").append(td(v.name())).append(td(v.kind())).append(td(v.precision().id()))
                    .append(num(Fmt.percent(v.accuracy()))).append(num(Fmt.count(v.params())))
                    .append(num(Fmt.bytes(v.sizeBytes()))).append(num(Fmt.count(v.macs())))
                    .append(num(Fmt.percent(v.sparsity())))
                    .append(td(v.source() == null ? "" : v.source().toString())).append("</tr>\n");
        }
        h.append("</table>\n<div class=\"charts\">\n");
        List<String> names = vs.stream().map(Variant::name).collect(Collectors.toList());
        h.append(SvgBarChart.horizontal("Accuracy", names,
                vs.stream().map(Variant::accuracy).collect(Collectors.toList()), 1.0, Fmt::percent)).append('\n');
        double maxSize = vs.stream().mapToLong(Variant::sizeBytes).max().orElse(1);
        h.append(SvgBarChart.horizontal("Model size", names,
                vs.stream().map(v -> (double) v.sizeBytes()).collect(Collectors.toList()), maxSize,
                b -> Fmt.bytes((long) b))).append('\n');
        h.append("</div>\n");
    }

    private static void recommendations(StringBuilder h, Report report) {
        h.append("<h2>Recommended variant per profile</h2>\n<table>\n");
        header(h, "Profile", "Variant", "Passes gate");
        for (HardwareProfile p : report.profiles()) {
            String chosen = report.recommended().get(p.id());
            boolean passes = chosen != null && report.row(chosen, p.id()).map(ProfileRow::passed).orElse(false);
            h.append("<tr>").append(td(p.name())).append(td(chosen == null ? "none fits" : chosen))
                    .append(chosen == null ? td("") : gate(passes, passes ? "yes" : "no")).append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void profile(StringBuilder h, Report report, HardwareProfile p) {
        h.append("<h2>").append(escape(p.name())).append(" <code>").append(escape(p.id())).append("</code></h2>\n");
        if (!p.description().isBlank()) {
            h.append("<p>").append(escape(p.description().strip())).append("</p>\n");
        }
        h.append("<p class=\"meta\">RAM ").append(escape(Fmt.bytes(p.ramBytes()))).append(" · flash ")
                .append(escape(Fmt.bytes(p.flashBytes()))).append(" · precisions ")
                .append(escape(p.precisions().toString())).append("</p>\n<table>\n");
        header(h, "Variant", "Precision", "RAM needed", "Fits RAM", "Flash needed", "Fits flash", "Latency (ms)",
                "Energy (µJ)", "Gate");
        List<ProfileRow> rows = report.rowsFor(p.id());
        for (ProfileRow r : rows) {
            CostEstimate c = r.cost();
            h.append("<tr>").append(td(r.variant())).append(td(c.precision().id()))
                    .append(num(Fmt.bytes(c.ramBytes()))).append(gate(c.fitsRam(), Fmt.yesNo(c.fitsRam())))
                    .append(num(Fmt.bytes(c.flashBytes()))).append(gate(c.fitsFlash(), Fmt.yesNo(c.fitsFlash())))
                    .append(num(Fmt.sig3(c.latencyMillis()))).append(num(Fmt.sig3(c.energyMicrojoules())))
                    .append("<td><span class=\"").append(r.passed() ? "pass\">pass" : "fail\">fail").append("</span>");
            if (!r.reasons().isEmpty()) {
                h.append("<div class=\"reasons\">").append(escape(String.join("; ", r.reasons()))).append("</div>");
            }
            h.append("</td></tr>\n");
        }
        h.append("</table>\n");
        List<ProfileRow> timed = rows.stream().filter(r -> r.cost().latencyMillis().isPresent())
                .collect(Collectors.toList());
        if (!timed.isEmpty()) {
            double max = timed.stream().mapToDouble(r -> r.cost().latencyMillis().getAsDouble()).max().orElse(1);
            h.append(SvgBarChart.horizontal("Estimated latency on " + p.id(),
                    timed.stream().map(ProfileRow::variant).collect(Collectors.toList()),
                    timed.stream().map(r -> r.cost().latencyMillis().getAsDouble()).collect(Collectors.toList()),
                    max, ms -> Fmt.sig3(ms) + " ms")).append('\n');
        }
        h.append("<details><summary>Sources of these figures</summary>\n<ul>\n");
        for (Citation c : p.sources()) {
            h.append("<li><strong>").append(escape(c.title())).append("</strong>: ").append(escape(c.usedFor()))
                    .append("</li>\n");
        }
        h.append("</ul>\n</details>\n");
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
