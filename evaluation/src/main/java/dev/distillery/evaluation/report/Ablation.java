package dev.distillery.evaluation.report;

import dev.distillery.core.error.DataContractException;
import dev.distillery.evaluation.cost.CostModel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the ablation table from the variants' own lineage (see {@link Lineage}), never from a list of names:
 * every variant whose lineage names another variant of the report becomes one row; a variant without lineage, or
 * whose origin is not in the report, adds none, so techniques a run did not use simply have no row.
 *
 * <p>Rows follow the chains: for each chain's first student, the teacher against it ({@value
 * AblationStep#ARCHITECTURE}), then each step in variant order, depth first. Post-training-quantization variants
 * of one model at one precision are alternatives of one technique: only the most accurate gets a row (ties: the
 * first in report order), which counts them. The last row, {@value AblationStep#TOTAL}, sets the teacher against
 * the student at the end of the longest chain (ties: the first in report order), every technique together.
 */
final class Ablation {
    /** Technique whose variants are a sweep of calibrations: one row for the best of them. */
    static final String PTQ = "ptq";
    static final String STUDENT_ARCHITECTURE = "student-architecture";
    /** Technique of an ensemble-distilled student against its single-teacher sibling. */
    static final String TEACHER_ENSEMBLE = "teacher-ensemble";
    static final String NOTE = "Each row sets two variants side by side that differ by one technique, as their model"
            + " files record it: derived rows start from the earlier variant's weights; sibling rows start from the"
            + " same initial weights and training settings and differ only in the technique; the total row sets the"
            + " teacher against the end of the longest chain. Weight bytes are computed at each variant's precision,"
            + " dense and with zeros bitmap-encoded (what a sparse encoder would save; the files store weights"
            + " dense); file bytes are the model files' sizes. Ratios are after / before.";
    static final String NONE = "No variant in this report records which variant it was made from (model files"
            + " written before Distillery recorded lineage, or a run without compression steps), so there is no"
            + " ablation table; re-run the stages to get one.";

    private Ablation() {
    }

    static List<AblationStep> of(List<Variant> variants) {
        Map<String, Variant> byName = new LinkedHashMap<>();
        variants.forEach(v -> byName.put(v.name(), v));
        Optional<Variant> teacher = variants.stream().filter(v -> !v.candidate()).findFirst();

        List<Variant> linked = variants.stream().filter(v -> v.candidate() && v.lineage() != null
                && byName.containsKey(v.lineage().from())).toList();
        Set<String> parents = new HashSet<>();
        linked.forEach(v -> parents.add(v.lineage().from()));
        Map<String, Integer> alternatives = new LinkedHashMap<>();
        List<Variant> kept = keepBestCalibrations(linked, parents, alternatives);

        Map<String, List<Variant>> children = new LinkedHashMap<>();
        kept.forEach(v -> children.computeIfAbsent(v.lineage().from(), k -> new ArrayList<>()).add(v));
        Set<String> hasParent = new HashSet<>();
        kept.forEach(v -> hasParent.add(v.name()));

        List<AblationStep> rows = new ArrayList<>();
        Map<String, List<Variant>> chains = new LinkedHashMap<>();
        for (Variant root : variants) {
            if (hasParent.contains(root.name()) || !children.containsKey(root.name())) {
                continue;
            }
            if (teacher.isPresent() && teacher.get().architecture() != null && root.candidate()) {
                rows.add(step(teacher.get(), root, AblationStep.ARCHITECTURE, List.of(STUDENT_ARCHITECTURE),
                        architectureDetail(teacher.get(), root), 1));
            }
            walk(root, new ArrayList<>(List.of(root)), children, alternatives, rows, chains);
        }
        if (chains.size() < kept.size()) {
            List<String> unreached = kept.stream().map(Variant::name).filter(n -> !chains.containsKey(n)).toList();
            throw new DataContractException("the lineage of variants " + unreached + " runs in a circle: each names "
                    + "another as its origin, so none leads back to a first model");
        }
        // an ONNX teacher has no layers to count bytes and MACs of: the steps start at the first student
        if (teacher.isPresent() && teacher.get().architecture() != null) {
            longestChain(chains).ifPresent(chain -> rows.add(total(teacher.get(), chain)));
        }
        return rows;
    }

    /** The steps that set an ensemble-distilled student against a single-teacher one. */
    static List<AblationStep> ensembleSteps(Report report) {
        return report.ablation().stream().filter(s -> !s.total() && s.techniques().contains(TEACHER_ENSEMBLE))
                .toList();
    }

    private static void walk(Variant node, List<Variant> path, Map<String, List<Variant>> children,
                             Map<String, Integer> alternatives, List<AblationStep> rows,
                             Map<String, List<Variant>> chains) {
        for (Variant child : children.getOrDefault(node.name(), List.of())) {
            if (chains.containsKey(child.name())) {
                continue;
            }
            Lineage l = child.lineage();
            rows.add(step(node, child, l.relation(), l.techniques(), l.detail(),
                    alternatives.getOrDefault(child.name(), 1)));
            List<Variant> next = new ArrayList<>(path);
            next.add(child);
            chains.put(child.name(), next);
            walk(child, next, children, alternatives, rows, chains);
        }
    }

    /** Of post-training-quantization variants of one model at one precision, the most accurate; others pass. */
    private static List<Variant> keepBestCalibrations(List<Variant> linked, Set<String> parents,
                                                      Map<String, Integer> alternatives) {
        Map<String, List<Variant>> groups = new LinkedHashMap<>();
        for (Variant v : linked) {
            if (v.lineage().techniques().contains(PTQ) && !parents.contains(v.name())) {
                groups.computeIfAbsent(v.lineage().from() + "\u0000" + v.precision().id(), k -> new ArrayList<>())
                        .add(v);
            }
        }
        Set<String> dropped = new HashSet<>();
        for (List<Variant> group : groups.values()) {
            // Stream.max keeps the first of equals, and the group is in report order
            Variant best = group.stream().max(Comparator.comparingDouble(Variant::accuracy)).orElseThrow();
            alternatives.put(best.name(), group.size());
            group.stream().filter(v -> v != best).forEach(v -> dropped.add(v.name()));
        }
        return linked.stream().filter(v -> !dropped.contains(v.name())).toList();
    }

    private static Optional<List<Variant>> longestChain(Map<String, List<Variant>> chains) {
        List<Variant> longest = null;
        for (List<Variant> chain : chains.values()) {
            if (longest == null || chain.size() > longest.size()) {
                longest = chain;
            }
        }
        return Optional.ofNullable(longest);
    }

    private static AblationStep total(Variant teacher, List<Variant> chain) {
        Variant last = chain.get(chain.size() - 1);
        Set<String> techniques = new LinkedHashSet<>(List.of(STUDENT_ARCHITECTURE));
        List<String> details = new ArrayList<>(List.of(architectureDetail(teacher, chain.get(0))));
        for (Variant v : chain.subList(1, chain.size())) {
            techniques.addAll(v.lineage().techniques());
            details.add(v.lineage().detail());
        }
        return step(teacher, last, AblationStep.TOTAL, List.copyOf(techniques),
                "every step from the teacher to " + last.name() + ": " + String.join("; then ", details), 1);
    }

    private static String architectureDetail(Variant teacher, Variant student) {
        return "student architecture " + student.architecture().name() + " instead of the teacher's "
                + teacher.architecture().name() + (student.teachers() == null ? ", trained on hard labels"
                : ", distilled from " + (student.teachers().isEnsemble() ? "an " + student.teachers().mode()
                : "a single teacher"));
    }

    static AblationStep step(Variant from, Variant to, String relation, List<String> techniques, String detail,
                             int alternatives) {
        return new AblationStep(from.name(), to.name(), relation, techniques, detail, alternatives, from.accuracy(),
                to.accuracy(), new AblationStep.Change(from.params(), to.params()),
                new AblationStep.Change(CostModel.weightBytes(from.architecture(), from.precision()),
                        CostModel.weightBytes(to.architecture(), to.precision())),
                new AblationStep.Change(sparseBytes(from), sparseBytes(to)),
                new AblationStep.Change(from.sizeBytes(), to.sizeBytes()),
                new AblationStep.Change(from.macs(), to.macs()), from.sparsity(), to.sparsity());
    }

    private static long sparseBytes(Variant v) {
        return CostModel.sparseWeightBytes(v.architecture(), v.precision(), v.nonzeroWeights());
    }
}
