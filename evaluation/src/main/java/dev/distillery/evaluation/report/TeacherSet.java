package dev.distillery.evaluation.report;

import dev.distillery.core.labels.TeacherIdentity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The teachers whose soft labels a student was distilled from, as the soft-label files named them, and how their
 * outputs were combined: {@code none} for one teacher, else {@code mean-logits} or {@code mean-probabilities}.
 */
public record TeacherSet(String ensemble, List<TeacherIdentity> teachers) {

    public TeacherSet {
        if (ensemble == null || ensemble.isBlank()) {
            throw new IllegalArgumentException("teacher set has no ensemble mode (none, mean-logits, ...)");
        }
        teachers = List.copyOf(teachers);
        if (teachers.isEmpty()) {
            throw new IllegalArgumentException("teacher set names no teacher");
        }
        if (teachers.size() == 1 != "none".equals(ensemble)) {
            throw new IllegalArgumentException("a set of " + teachers.size() + " teacher(s) cannot have ensemble mode "
                    + ensemble + " (one teacher: none; several: how they combine)");
        }
    }

    public boolean isEnsemble() {
        return teachers.size() > 1;
    }

    /** "teacher-cnn (1,234 params, sha256 0123abcd4567)", one per teacher, joined by "; ". */
    public String describe() {
        return teachers.stream().map(TeacherSet::describe).collect(Collectors.joining("; "));
    }

    /** "ensemble of 2 (mean-logits)" or "single teacher". */
    public String mode() {
        return isEnsemble() ? "ensemble of " + teachers.size() + " (" + ensemble + ")" : "single teacher";
    }

    /** Each distinct teacher set of the variants, with the names of the variants distilled from it, in order. */
    static Map<TeacherSet, List<String>> students(List<Variant> variants) {
        Map<TeacherSet, List<String>> out = new LinkedHashMap<>();
        for (Variant v : variants) {
            if (v.teachers() != null) {
                out.computeIfAbsent(v.teachers(), k -> new ArrayList<>()).add(v.name());
            }
        }
        return out;
    }

    static String describe(TeacherIdentity t) {
        return t.architecture() + " (" + String.format(Locale.ROOT, "%,d", t.parameters()) + " params, sha256 "
                + t.sha256().substring(0, 12) + ")";
    }
}
