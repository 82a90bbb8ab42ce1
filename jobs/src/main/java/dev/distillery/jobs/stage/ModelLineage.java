package dev.distillery.jobs.stage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.labels.SoftLabelMetadata;
import dev.distillery.core.labels.TeacherIdentity;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.model.ModelIO;
import dev.distillery.evaluation.report.Lineage;
import dev.distillery.evaluation.report.TeacherSet;
import dev.distillery.student.quant.IntegerModelIO;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a model file records about where it came from, as metadata entries the stages write and evaluate reads:
 * the run-relative path of the model it is compared with ({@value #FROM}), how ({@value #RELATION}), what changed
 * ({@value #TECHNIQUES}, {@value #DETAIL}), and the teachers of the soft labels it was distilled from
 * ({@value #ENSEMBLE}, {@value #TEACHERS}). Evaluate turns these into the report's lineage, walking through files
 * that are not report variants (the QAT model between the pruned student and its integer file).
 */
final class ModelLineage {
    static final String FROM = "lineage.from";
    static final String RELATION = "lineage.relation";
    static final String TECHNIQUES = "lineage.techniques";
    static final String DETAIL = "lineage.detail";
    static final String ENSEMBLE = "distillation.ensemble";
    static final String TEACHERS = "distillation.teachers";
    /** A chain longer than this between two report variants means the files point at each other. */
    private static final int MAX_HOPS = 16;

    private ModelLineage() {
    }

    /**
     * Metadata saying the model was made from (or, as a sibling, differs by one technique from) the model
     * {@code from} of the same run.
     */
    static Map<String, String> of(StageFile from, String relation, String technique, String detail) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FROM, from.relative());
        meta.put(RELATION, relation);
        meta.put(TECHNIQUES, technique);
        meta.put(DETAIL, detail);
        return meta;
    }

    /** Metadata naming the teachers of the soft labels a student is distilled from. */
    static Map<String, String> teachers(SoftLabelMetadata labels) {
        try {
            return Map.of(ENSEMBLE, labels.ensemble(), TEACHERS, ManifestIO.json().writeValueAsString(labels.teachers()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("teacher identities could not be written as JSON", e);
        }
    }

    /** "a single teacher, teacher-cnn-16-32 (sha256 0123abcd4567)" or "an ensemble of 2 teachers (mean-logits)". */
    static String describe(SoftLabelMetadata labels) {
        if (labels.teachers().size() == 1) {
            TeacherIdentity t = labels.teachers().get(0);
            return "a single teacher, " + t.architecture() + " (sha256 " + t.sha256().substring(0, 12) + ")";
        }
        return "an ensemble of " + labels.teachers().size() + " teachers (" + labels.ensemble() + ")";
    }

    /** The teachers a model's metadata names; null when it names none. */
    static TeacherSet teacherSet(Map<String, String> meta, Path file) {
        String json = meta.get(TEACHERS);
        if (json == null) {
            return null;
        }
        try {
            List<TeacherIdentity> ids = ManifestIO.json().readValue(json, new TypeReference<List<TeacherIdentity>>() {
            });
            return new TeacherSet(meta.getOrDefault(ENSEMBLE, ids.size() == 1 ? "none" : "mean-logits"), ids);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new DataContractException("model file " + file + " records unreadable teacher identities ("
                    + TEACHERS + "): " + e.getMessage(), e);
        }
    }

    /**
     * The lineage of a variant read from {@code meta}: the first report variant (by source file) found by following
     * {@value #FROM} from file to file, with the techniques of every hop. Null when the metadata names no origin,
     * or the chain leaves the report (a file that does not exist, or holds no lineage itself).
     *
     * @param sources report variant names by their normalized absolute source file
     */
    static Lineage resolve(Path runRoot, Map<String, String> meta, Map<Path, String> sources) {
        List<String> techniques = new ArrayList<>();
        List<String> details = new ArrayList<>();
        boolean sibling = false;
        Set<Path> seen = new HashSet<>();
        Map<String, String> at = meta;
        for (int hop = 0; hop < MAX_HOPS; hop++) {
            String from = at.get(FROM);
            if (from == null) {
                return null;
            }
            techniques.addAll(0, List.of(at.getOrDefault(TECHNIQUES, "unknown").split(",")));
            details.add(0, at.getOrDefault(DETAIL, ""));
            sibling |= Lineage.SIBLING.equals(at.get(RELATION));
            Path origin = runRoot.resolve(from).toAbsolutePath().normalize();
            String name = sources.get(origin);
            if (name != null) {
                return new Lineage(name, sibling ? Lineage.SIBLING : Lineage.DERIVED, techniques,
                        String.join("; then ", details));
            }
            if (!Files.isRegularFile(origin) || !seen.add(origin)) {
                return null;
            }
            at = origin.toString().endsWith(".dint") ? IntegerModelIO.read(origin).metadata()
                    : ModelIO.read(origin).metadata();
        }
        return null;
    }
}
