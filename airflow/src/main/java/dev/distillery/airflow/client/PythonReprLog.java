package dev.distillery.airflow.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Airflow 2's JSON log answer: {@code content} is the Python {@code repr} of a list of {@code (host, log)} tuples,
 * e.g. {@code [('worker-1', '*** Found local files:\n...')]}, with the log's newlines, quotes and other characters
 * escaped as Python string literals. This reads that text back into the tuples; anything that is not exactly such a
 * list is not decoded (the caller then takes the content as plain text).
 */
final class PythonReprLog {
    /** One tuple: the host that served the log ({@code null} for Python's {@code None}) and the log text. */
    record Chunk(String host, String text) {
    }

    private final String s;
    private int pos;

    private PythonReprLog(String s) {
        this.s = s;
    }

    /** The tuples of {@code content}, or empty when it is not the repr of a list of (host, log) tuples. */
    static Optional<List<Chunk>> decode(String content) {
        try {
            return Optional.of(new PythonReprLog(content).list());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private List<Chunk> list() {
        List<Chunk> chunks = new ArrayList<>();
        skipSpace();
        expect('[');
        skipSpace();
        if (peek() == ']') {
            pos++;
        } else {
            while (true) {
                chunks.add(tuple());
                skipSpace();
                char c = next();
                if (c == ']') {
                    break;
                }
                if (c != ',') {
                    throw new IllegalArgumentException("expected , or ] at " + (pos - 1));
                }
                skipSpace();
                if (peek() == ']') { // a trailing comma
                    pos++;
                    break;
                }
            }
        }
        skipSpace();
        if (pos != s.length()) {
            throw new IllegalArgumentException("text after the list at " + pos);
        }
        return chunks;
    }

    private Chunk tuple() {
        expect('(');
        skipSpace();
        String host;
        if (s.startsWith("None", pos)) {
            pos += 4;
            host = null;
        } else {
            host = string();
        }
        skipSpace();
        expect(',');
        skipSpace();
        String text = string();
        skipSpace();
        if (peek() == ',') {
            pos++;
            skipSpace();
        }
        expect(')');
        return new Chunk(host, text);
    }

    /** A Python string literal in single or double quotes, with its escapes decoded. */
    private String string() {
        char quote = next();
        if (quote != '\'' && quote != '"') {
            throw new IllegalArgumentException("expected a string at " + (pos - 1));
        }
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = next();
            if (c == quote) {
                return out.toString();
            }
            if (c == '\n') {
                throw new IllegalArgumentException("line break inside a string literal at " + (pos - 1));
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '\\', '\'', '"' -> out.append(e);
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'v' -> out.append('\u000b');
                case '\n' -> {
                    // a backslash before a line break continues the literal
                }
                case 'x' -> out.appendCodePoint(hex(2));
                case 'u' -> out.appendCodePoint(hex(4));
                case 'U' -> out.appendCodePoint(hex(8));
                default -> {
                    if (e >= '0' && e <= '7') {
                        int value = e - '0';
                        for (int i = 0; i < 2 && pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '7';
                             i++) {
                            value = value * 8 + (s.charAt(pos++) - '0');
                        }
                        out.append((char) value);
                    } else {
                        // Python keeps an unknown escape as written
                        out.append('\\').append(e);
                    }
                }
            }
        }
    }

    private int hex(int digits) {
        if (pos + digits > s.length()) {
            throw new IllegalArgumentException("truncated escape at " + pos);
        }
        int value = 0;
        for (int i = pos; i < pos + digits; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) {
                throw new IllegalArgumentException("bad hex escape at " + pos);
            }
            value = value * 16 + d;
        }
        if (value < 0 || value > Character.MAX_CODE_POINT) {
            throw new IllegalArgumentException("escape beyond Unicode at " + pos);
        }
        pos += digits;
        return value;
    }

    private void skipSpace() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
            pos++;
        }
    }

    private char peek() {
        if (pos >= s.length()) {
            throw new IllegalArgumentException("unexpected end");
        }
        return s.charAt(pos);
    }

    private char next() {
        char c = peek();
        pos++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            throw new IllegalArgumentException("expected " + c + " at " + (pos - 1));
        }
    }
}
