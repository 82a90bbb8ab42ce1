package dev.distillery.airflow.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * A page of task log: a string on Airflow 2; on Airflow 3 a list of structured messages
 * ({@code {"timestamp", "level", "event"}}) or plain strings.
 */
final class LogContent {
    private LogContent() {
    }

    static void appendLines(JsonNode content, List<String> lines) {
        if (content == null || content.isNull()) {
            return;
        }
        if (content.isArray()) {
            for (JsonNode entry : content) {
                if (entry.isObject()) {
                    lines.add(structured(entry));
                } else {
                    addText(entry.asText(), lines);
                }
            }
        } else {
            addText(content.asText(), lines);
        }
    }

    private static String structured(JsonNode e) {
        StringBuilder sb = new StringBuilder();
        if (e.hasNonNull("timestamp")) {
            sb.append('[').append(e.get("timestamp").asText()).append("] ");
        }
        if (e.hasNonNull("level")) {
            sb.append(e.get("level").asText().toUpperCase(java.util.Locale.ROOT)).append(" - ");
        }
        sb.append(e.path("event").asText(""));
        return sb.toString();
    }

    private static void addText(String text, List<String> lines) {
        if (text.isEmpty()) {
            return;
        }
        String[] parts = text.split("\r?\n", -1);
        int n = parts.length;
        if (n > 0 && parts[n - 1].isEmpty()) {
            n--;
        }
        for (int i = 0; i < n; i++) {
            lines.add(parts[i]);
        }
    }
}
