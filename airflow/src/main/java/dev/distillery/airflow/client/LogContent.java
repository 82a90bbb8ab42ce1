package dev.distillery.airflow.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The pages of one task log, turned into lines as they arrive.
 *
 * <p>Airflow 2 ({@code /api/v1}) sends {@code content} as the Python repr of a list of {@code (host, log)} tuples
 * ({@link PythonReprLog}); each page continues the text of the previous one, so a line may be split between pages.
 * Airflow 3 ({@code /api/v2}) sends a list of structured messages ({@code event}, optional {@code timestamp} and
 * {@code level}, {@code sources} on the source-details group, {@code error_detail} on an exception, other fields
 * ignored), or a list of plain strings when Airflow could not parse its log file.
 *
 * <p>It also tells whether the task wrote anything: Airflow prefixes its own notes on where it looked for the log
 * with {@code ***} (Airflow 2) or puts them in the "Log message source details" group (Airflow 3). A try that never
 * ran leaves only such notes, e.g. Airflow 2's "*** Could not read served logs: 404 ...".
 */
final class LogContent {
    private static final String GROUP = "::group::";
    private static final String END_GROUP = "::endgroup::";
    private static final String SOURCE_DETAILS = GROUP + "Log message source details";
    private static final String NOTE = "***";

    private final List<String> lines = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private boolean inSourceDetails;
    private boolean taskOutput;

    /** Adds one page's {@code content}; returns whether the page held any log at all. */
    boolean addPage(JsonNode content) {
        if (content == null || content.isNull() || content.isMissingNode()) {
            return false;
        }
        int before = lines.size() + partial.length();
        if (content.isArray()) {
            for (JsonNode entry : content) {
                if (entry.isObject()) {
                    structured(entry);
                } else if (!entry.isNull()) {
                    text(entry.asText());
                    endLine();
                }
            }
        } else {
            String text = content.asText();
            var chunks = PythonReprLog.decode(text);
            if (chunks.isPresent()) {
                for (PythonReprLog.Chunk chunk : chunks.get()) {
                    text(chunk.text());
                }
            } else {
                text(text);
            }
        }
        return lines.size() + partial.length() > before;
    }

    /** Whether any line read so far came from the task rather than from Airflow's notes about the log. */
    boolean taskOutput() {
        return taskOutput || isTaskLine(partial);
    }

    /** Every line read so far, including an unfinished last one. */
    List<String> lines() {
        List<String> out = new ArrayList<>(lines);
        if (!partial.isEmpty()) {
            out.add(partial.toString());
        }
        return out;
    }

    private void structured(JsonNode e) {
        String event = e.path("event").asText("");
        if (event.equals(END_GROUP)) {
            inSourceDetails = false;
            return;
        }
        if (event.startsWith(SOURCE_DETAILS)) {
            inSourceDetails = true;
        } else if (!inSourceDetails) {
            taskOutput = true;
        }
        StringBuilder prefix = new StringBuilder();
        if (e.hasNonNull("timestamp")) {
            prefix.append('[').append(e.get("timestamp").asText()).append("] ");
        }
        if (e.hasNonNull("level")) {
            prefix.append(e.get("level").asText().toUpperCase(Locale.ROOT)).append(" - ");
        }
        text(prefix + (event.startsWith(GROUP) ? event.substring(GROUP.length()) : event));
        endLine();
        for (JsonNode source : e.path("sources")) {
            text("  " + source.asText());
            endLine();
        }
        for (JsonNode error : e.path("error_detail")) {
            String type = error.path("exc_type").asText("");
            String value = error.path("exc_value").asText("");
            text(value.isEmpty() ? type : type + ": " + value);
            endLine();
        }
    }

    /** Appends text, ending a line at each line break; what follows the last break waits for more text. */
    private void text(String text) {
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                int end = i > start && text.charAt(i - 1) == '\r' ? i - 1 : i;
                partial.append(text, start, end);
                judge(partial);
                lines.add(partial.toString());
                partial.setLength(0);
                start = i + 1;
            }
        }
        partial.append(text, start, text.length());
    }

    private void endLine() {
        if (!partial.isEmpty()) {
            judge(partial);
            lines.add(partial.toString());
            partial.setLength(0);
        }
    }

    /** Notes a finished line: the source-details group opens or closes, or the task wrote it. */
    private void judge(CharSequence line) {
        String s = line.toString().strip();
        if (s.startsWith(SOURCE_DETAILS)) {
            inSourceDetails = true;
        } else if (s.equals(END_GROUP)) {
            inSourceDetails = false;
        } else {
            taskOutput |= isTaskLine(s);
        }
    }

    /** A line the task wrote: not blank, not one of Airflow's notes, not inside the source details. */
    private boolean isTaskLine(CharSequence line) {
        String s = line.toString().strip();
        return !inSourceDetails && !s.isEmpty() && !s.startsWith(NOTE) && !s.startsWith(SOURCE_DETAILS)
                && !s.equals(END_GROUP);
    }
}
