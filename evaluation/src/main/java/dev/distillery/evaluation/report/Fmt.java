package dev.distillery.evaluation.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import java.util.OptionalDouble;

/** Number formatting shared by the Markdown and HTML renderers; always Locale.ROOT so reports do not vary by host. */
final class Fmt {
    private Fmt() {
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024L * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.2f MiB", n / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / (1024.0 * 1024 * 1024));
    }

    /** A count with thousands separators; a negative count is one nobody knows (an ONNX teacher's MACs). */
    static String count(long n) {
        return n < 0 ? "unknown" : String.format(Locale.ROOT, "%,d", n);
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f %%", fraction * 100);
    }

    /** Three significant digits without exponent notation: estimates do not deserve more. */
    static String sig3(double value) {
        if (value == 0 || !Double.isFinite(value)) {
            return value == 0 ? "0" : String.valueOf(value);
        }
        return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }

    static String sig3(OptionalDouble value) {
        return value.isPresent() ? sig3(value.getAsDouble()) : "n/a";
    }

    static String signedPercent(double fraction) {
        return String.format(Locale.ROOT, "%+.0f %%", fraction * 100);
    }

    static String accuracyWithInterval(Variant v) {
        var m = v.metrics();
        if (m == null || m.accuracyInterval() == null) {
            return percent(v.accuracy());
        }
        return percent(v.accuracy()) + String.format(Locale.ROOT, " (%.2f-%.2f)",
                m.accuracyInterval().lower() * 100, m.accuracyInterval().upper() * 100);
    }

    static String ece(Variant v) {
        return v.metrics() == null || v.metrics().calibrationError() == null ? "n/a"
                : String.format(Locale.ROOT, "%.4f", v.metrics().calibrationError());
    }

    static String agreement(Variant v) {
        return v.metrics() == null || v.metrics().teacherAgreement() == null ? "n/a"
                : percent(v.metrics().teacherAgreement());
    }

    /** An after/before ratio, "×0.251" (four times smaller); "n/a" when there was nothing before. */
    static String ratio(double r) {
        return Double.isNaN(r) ? "n/a" : String.format(Locale.ROOT, "×%.3f", r);
    }

    static String bytesChange(AblationStep.Change c) {
        return bytes(c.from()) + " → " + bytes(c.to()) + " (" + ratio(c.ratio()) + ")";
    }

    static String countChange(AblationStep.Change c) {
        return count(c.from()) + " → " + count(c.to()) + " (" + ratio(c.ratio()) + ")";
    }

    static String accuracyChange(AblationStep s) {
        return percent(s.accuracyFrom()) + " → " + percent(s.accuracyTo());
    }

    /** Percentage points with their sign: "+0.90 pts". */
    static String points(double points) {
        return String.format(Locale.ROOT, "%+.2f pts", points);
    }

    static String step(AblationStep s) {
        return s.from() + " → " + s.to() + (s.total() ? " (total)" : "");
    }

    static String technique(AblationStep s) {
        return s.detail() + (s.alternatives() > 1 ? " (most accurate of " + s.alternatives() + ")" : "");
    }

    static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }
}
