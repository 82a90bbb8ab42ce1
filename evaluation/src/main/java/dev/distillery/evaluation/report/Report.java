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
 * variant-by-profile verdict, the recommended variant and the accuracy-latency Pareto front per profile, and the
 * cost model checked against latencies measured on this machine. Build one with {@link ReportBuilder}.
 *
 * @param configHash  hash of the pipeline config that produced the variants, for provenance
 * @param dataset     what the accuracy was measured on, e.g. "Fashion-MNIST test split, 10,000 images"
 * @param rows        one row per variant and profile, grouped by profile in profile order
 * @param recommended profile id to the most accurate passing candidate; profiles where none passes are absent
 * @param pareto      profile id to the accuracy-latency Pareto front (variant names by increasing latency)
 * @param hostProfile id of the profile describing this machine; null when latencies were not checked
 * @param costChecks  measured against estimated latency, per variant and runtime
 * @param classNames  names of the classes by index; empty when the data has none (then "class i" is shown)
 * @param ablation    what each technique added or cost, from the variants' lineage (see {@link Ablation})
 * @param deviceRows  C builds measured on emulated microcontroller cores beside the cost model's estimates
 * @param deployments per profile with a recommendation: its artifact, download times and energy per day
 */
public record Report(String title, Instant created, String configHash, String dataset,
                     List<HardwareProfile> profiles, List<Variant> variants, List<ProfileRow> rows,
                     Map<String, String> notes, Map<String, String> recommended, Map<String, List<String>> pareto,
                     String hostProfile, List<CostCheck> costChecks, List<String> requiredProfiles,
                     List<String> classNames, List<AblationStep> ablation, List<DeviceRow> deviceRows,
                     List<Deployment> deployments) {

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
        pareto = Collections.unmodifiableMap(new LinkedHashMap<>(pareto));
        costChecks = List.copyOf(costChecks);
        requiredProfiles = List.copyOf(requiredProfiles);
        classNames = List.copyOf(classNames);
        ablation = List.copyOf(ablation);
        deviceRows = deviceRows == null ? List.of() : List.copyOf(deviceRows);
        deployments = deployments == null ? List.of() : List.copyOf(deployments);
    }

    /** The name of class {@code index}: its configured name, else "class i". */
    public String className(int index) {
        return index < classNames.size() && !classNames.get(index).isBlank() ? classNames.get(index)
                : "class " + index;
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

    public Optional<Variant> variant(String name) {
        return variants.stream().filter(v -> v.name().equals(name)).findFirst();
    }

    /**
     * Profiles (among those given) where no candidate passes the gate; a non-empty answer means exit code 4. The
     * teacher passing does not count: it is the reference, not something a model owner would ship.
     */
    public List<String> profilesWithoutPassingVariant(List<String> profileIds) {
        return profileIds.stream()
                .filter(id -> rowsFor(id).stream().noneMatch(r -> r.candidate() && r.passed()))
                .collect(Collectors.toList());
    }

    /** The required profiles of this report without a passing candidate. */
    public List<String> failedRequiredProfiles() {
        return profilesWithoutPassingVariant(requiredProfiles);
    }
}
