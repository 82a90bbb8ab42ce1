package dev.distillery.evaluation.report;

import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * Horizontal bar charts as inline SVG. Hand-written on purpose: the HTML report must stay one self-contained file
 * with no scripts, which rules out the usual JavaScript chart libraries.
 */
final class SvgBarChart {
    private static final int LABEL_WIDTH = 190;
    private static final int BAR_WIDTH = 380;
    private static final int VALUE_WIDTH = 110;
    private static final int ROW_HEIGHT = 24;
    private static final int TITLE_HEIGHT = 26;

    private SvgBarChart() {
    }

    /**
     * One bar per label, scaled so that {@code max} fills the bar area; a NaN value draws no bar and says "n/a".
     * The SVG element carries no namespace attribute: inline SVG in HTML needs none, and the report must not
     * contain URLs.
     */
    static String horizontal(String title, List<String> labels, List<Double> values, double max,
                             DoubleFunction<String> format) {
        if (labels.size() != values.size()) {
            throw new IllegalArgumentException(labels.size() + " labels for " + values.size() + " values");
        }
        int width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
        int height = TITLE_HEIGHT + ROW_HEIGHT * labels.size() + 6;
        double scale = max > 0 ? BAR_WIDTH / max : 0;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">",
                width, height, width, height, Html.escape(title)));
        svg.append("<title>").append(Html.escape(title)).append("</title>");
        svg.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"17\" class=\"chart-title\">%s</text>",
                Html.escape(title)));
        for (int i = 0; i < labels.size(); i++) {
            int y = TITLE_HEIGHT + i * ROW_HEIGHT;
            double v = values.get(i);
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"chart-label\">%s</text>",
                    LABEL_WIDTH - 8, y + 16, Html.escape(labels.get(i))));
            String shown;
            double barLength = 0;
            if (Double.isNaN(v)) {
                shown = "n/a";
            } else {
                barLength = Math.max(1, Math.min(BAR_WIDTH, v * scale));
                shown = format.apply(v);
            }
            if (barLength > 0) {
                svg.append(String.format(Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" class=\"bar\"/>",
                        LABEL_WIDTH, y + 3, barLength, ROW_HEIGHT - 6));
            }
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"chart-value\">%s</text>",
                    LABEL_WIDTH + barLength + 6, y + 16, Html.escape(shown)));
        }
        return svg.append("</svg>").toString();
    }
}
