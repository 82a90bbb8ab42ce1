package dev.distillery.airflow.fake;

/**
 * Python 3's {@code repr} of a string, as Airflow 2 puts it into a log answer: single quotes unless the text holds
 * a single quote and no double quote, backslash escapes for the quote, backslash, tab, line breaks and other
 * unprintable characters, printable non-ASCII text as it is.
 */
public final class PythonRepr {
    private PythonRepr() {
    }

    public static String of(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder().append(quote);
        s.codePoints().forEach(c -> {
            if (c == quote || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c < 0x20 || c == 0x7f || (c > 0x7f && !printable(c))) {
                out.append(c <= 0xff ? String.format("\\x%02x", c)
                        : c <= 0xffff ? String.format("\\u%04x", c) : String.format("\\U%08x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append(quote).toString();
    }

    /** One tuple list as Airflow 2's log endpoint renders {@code [(host, log), ...]}. */
    public static String hostLogs(String... hostThenLog) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < hostThenLog.length; i += 2) {
            out.append(i == 0 ? "" : ", ").append('(').append(of(hostThenLog[i])).append(", ")
                    .append(of(hostThenLog[i + 1])).append(')');
        }
        return out.append(']').toString();
    }

    private static boolean printable(int c) {
        int type = Character.getType(c);
        return !(Character.isISOControl(c) || type == Character.UNASSIGNED || type == Character.SURROGATE
                || type == Character.FORMAT || type == Character.PRIVATE_USE || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SPACE_SEPARATOR);
    }
}
