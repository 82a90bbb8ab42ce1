package dev.distillery.evaluation.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.evaluation.profile.HardwareProfile;

import java.util.List;

/** The figures report.html's charts draw, as one JSON object embedded in the page. */
final class ChartData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChartData() {
    }

    static String json(Report report) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode classes = root.putArray("classes");
        int numClasses = report.variants().stream().filter(v -> v.metrics() != null)
                .mapToInt(v -> v.metrics().numClasses()).max().orElse(0);
        for (int c = 0; c < numClasses; c++) {
            classes.add(report.className(c));
        }
        ArrayNode variants = root.putArray("variants");
        for (Variant v : report.variants()) {
            ObjectNode n = variants.addObject();
            n.put("name", v.name());
            n.put("candidate", v.candidate());
            n.put("accuracy", v.accuracy());
            n.put("size_bytes", v.sizeBytes());
            if (v.macs() >= 0) {
                n.put("macs", v.macs());
            } else {
                n.putNull("macs");  // an ONNX teacher
            }
            if (v.metrics() != null) {
                ArrayNode confusion = n.putArray("confusion");
                for (List<Integer> row : v.metrics().confusion()) {
                    ArrayNode r = confusion.addArray();
                    row.forEach(r::add);
                }
            }
        }
        ArrayNode profiles = root.putArray("profiles");
        for (HardwareProfile p : report.profiles()) {
            ObjectNode n = profiles.addObject();
            n.put("id", p.id());
            n.put("name", p.name());
            n.put("recommended", report.recommended().get(p.id()));
            ArrayNode front = n.putArray("pareto");
            report.pareto().getOrDefault(p.id(), List.of()).forEach(front::add);
            ArrayNode points = n.putArray("points");
            for (ProfileRow r : report.rowsFor(p.id())) {
                if (r.cost().latencyMillis().isEmpty()) {
                    continue;
                }
                ObjectNode pt = points.addObject();
                pt.put("variant", r.variant());
                pt.put("latency_ms", r.cost().latencyMillis().getAsDouble());
                pt.put("accuracy", report.variant(r.variant()).orElseThrow().accuracy());
                pt.put("passed", r.passed());
                pt.put("candidate", r.candidate());
            }
        }
        try {
            // "</" could close the surrounding script element; JSON allows the escaped form.
            return JSON.writeValueAsString(root).replace("</", "<\\/");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("chart data could not be rendered", e);
        }
    }
}
