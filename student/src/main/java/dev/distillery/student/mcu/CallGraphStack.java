package dev.distillery.student.mcu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deepest stack below an entry point, from the call graph and frame sizes gcc writes with
 * {@code -fcallgraph-info=su} (a VCG file: one node per function with its {@code -fstack-usage} frame, one edge per
 * call). Functions outside the compiled file (runtime-library helpers) have no frame there and count as 0.
 */
final class CallGraphStack {
    private static final Pattern NODE = Pattern.compile("node: \\{ title: \"([^\"]+)\" label: \"([^\"]*)\"");
    private static final Pattern EDGE = Pattern.compile("edge: \\{ sourcename: \"([^\"]+)\" targetname: \"([^\"]+)\"");
    private static final Pattern FRAME = Pattern.compile("\\\\n(\\d+) bytes \\(([a-z,]+)\\)");

    private record Node(String name, long frame, boolean known, boolean bounded) {
    }

    /** The depth in bytes, the model functions whose frame is not static, and the external functions reached. */
    record Depth(long bytes, Set<String> unbounded, Set<String> external) {
    }

    private final Map<String, Node> nodes = new HashMap<>();
    private final Map<String, List<String>> calls = new HashMap<>();

    CallGraphStack(String vcg) {
        Matcher n = NODE.matcher(vcg);
        while (n.find()) {
            String label = n.group(2);
            String name = label.split("\\\\n", 2)[0];
            Matcher f = FRAME.matcher(label);
            boolean known = f.find();
            nodes.put(n.group(1), new Node(name, known ? Long.parseLong(f.group(1)) : 0, known,
                    known && (f.group(2).equals("static") || f.group(2).endsWith("bounded"))));
        }
        Matcher e = EDGE.matcher(vcg);
        while (e.find()) {
            calls.computeIfAbsent(e.group(1), k -> new ArrayList<>()).add(e.group(2));
        }
    }

    /** The deepest chain from the function named {@code entry}. */
    Depth deepest(String entry) {
        String title = nodes.entrySet().stream().filter(x -> x.getValue().name().equals(entry)).map(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new McuToolException("the call graph has no function " + entry, false));
        Set<String> unbounded = new TreeSet<>();
        Set<String> external = new TreeSet<>();
        long bytes = depth(title, new LinkedHashSet<>(), unbounded, external);
        return new Depth(bytes, unbounded, external);
    }

    private long depth(String title, Set<String> path, Set<String> unbounded, Set<String> external) {
        Node node = nodes.get(title);
        if (node == null || !node.known()) {
            external.add(node == null ? title : node.name());
            return 0;
        }
        if (!path.add(title)) {
            throw new McuToolException("recursion through " + node.name() + ": the stack has no static bound", false);
        }
        if (!node.bounded()) {
            unbounded.add(node.name());
        }
        long deepest = 0;
        for (String callee : calls.getOrDefault(title, List.of())) {
            deepest = Math.max(deepest, depth(callee, path, unbounded, external));
        }
        path.remove(title);
        return node.frame() + deepest;
    }
}
