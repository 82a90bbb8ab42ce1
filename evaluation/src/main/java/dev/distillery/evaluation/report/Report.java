package dev.distillery.evaluation.report;

import dev.distillery.evaluation.profile.HardwareProfile;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An evaluation's full result: which models were judged on which data against which profiles, every
 * variant-by-profile verdict, and the recommended variant per profile. Build one with {@link ReportBuilder}.
 *
 * @param configHash  hash of the pipeline config that produced the variants, for provenance
 * @param dataset     what the accuracy was measured on, e.g. "Fashion-MNIST test split, 10,000 images"
 * @param rows        one row per variant and profile, grouped by profile in profile order
 * @param recommended profile id to recommended variant name; profiles where nothing fits are absent
 */
public record Report(String title, Instant created, String configHash, String dataset,
                     List<HardwareProfile> profiles, List<Variant> variants, List<ProfileRow> rows,
                     Map<String, String> notes, Map<String, String> recommended) {

    public Report {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(created, "created");
        configHash = configHash == null ? "" : configHash;
        dataset = dataset == null ? "" : dataset;
        profiles = List.copyOf(profiles);
        variants = List.copyOf(variants);
        rows = List.copyOf(rows);
        // Insertion order is the order readers see, so keep it rather than Map.copyOf's arbitrary one.
        notes = Collections.unmodifiableMap(new LinkedHashMap<>(notes));
        recommended = Collections.unmodifiableMap(new LinkedHashMap<>(recommended));
    }

    public List<ProfileRow> rowsFor(String profileId) {
        return rows.stream().filter(r -> r.profileId().equals(profileId)).collect(Collectors.toList());
    }

    public Optional<ProfileRow> row(String variant, String profileId) {
        return rows.stream().filter(r -> r.variant().equals(variant) && r.profileId().equals(profileId)).findFirst();
    }

    public Optional<String> recommendation(String profileId) {
        return Optional.ofNullable(recommended.get(profileId));
    }

    /** Profiles (among those given) where no variant passes the gate; a non-empty answer means exit code 4. */
    public List<String> profilesWithoutPassingVariant(List<String> profileIds) {
        return profileIds.stream()
                .filter(id -> rowsFor(id).stream().noneMatch(ProfileRow::passed))
                .collect(Collectors.toList());
    }
}
