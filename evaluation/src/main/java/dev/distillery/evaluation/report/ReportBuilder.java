package dev.distillery.evaluation.report;

import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.evaluation.cost.CostEstimate;
import dev.distillery.evaluation.cost.CostModel;
import dev.distillery.evaluation.profile.HardwareProfile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Assembles a {@link Report}: estimates every variant on every profile, applies the gates, picks recommendations. */
public final class ReportBuilder {
    private final String title;
    private Instant created = Instant.now();
    private String configHash = "";
    private String dataset = "";
    private final List<Variant> variants = new ArrayList<>();
    private final List<HardwareProfile> profiles = new ArrayList<>();
    private final Map<String, Double> minAccuracy = new LinkedHashMap<>();
    private final Map<String, String> notes = new LinkedHashMap<>();

    public ReportBuilder(String title) {
        this.title = Objects.requireNonNull(title, "title");
    }

    public ReportBuilder created(Instant when) {
        this.created = Objects.requireNonNull(when, "created");
        return this;
    }

    public ReportBuilder configHash(String hash) {
        this.configHash = hash;
        return this;
    }

    public ReportBuilder dataset(String description) {
        this.dataset = description;
        return this;
    }

    public ReportBuilder variant(Variant variant) {
        variants.add(Objects.requireNonNull(variant, "variant"));
        return this;
    }

    public ReportBuilder variants(List<Variant> more) {
        more.forEach(this::variant);
        return this;
    }

    public ReportBuilder profiles(List<HardwareProfile> more) {
        more.forEach(p -> profiles.add(Objects.requireNonNull(p, "profile")));
        return this;
    }

    /** Accuracy thresholds by profile id, as in {@code evaluation.min_accuracy}; a profile without one has no threshold. */
    public ReportBuilder minAccuracy(Map<String, Double> thresholds) {
        minAccuracy.putAll(thresholds);
        return this;
    }

    public ReportBuilder note(String key, String value) {
        notes.put(key, value);
        return this;
    }

    public Report build() {
        validate();
        List<ProfileRow> rows = new ArrayList<>();
        Map<String, String> recommended = new LinkedHashMap<>();
        for (HardwareProfile profile : profiles) {
            List<ProfileRow> profileRows = new ArrayList<>();
            for (Variant v : variants) {
                CostEstimate cost = CostModel.estimate(v.architecture(), v.precision(), profile, v.sizeBytes());
                profileRows.add(Gates.judge(v, cost, minAccuracy));
            }
            Gates.recommend(variants, profileRows, profile.id()).ifPresent(v -> recommended.put(profile.id(), v.name()));
            rows.addAll(profileRows);
        }
        return new Report(title, created, configHash, dataset, profiles, variants, rows, notes, recommended);
    }

    private void validate() {
        if (variants.isEmpty()) {
            throw new InvalidConfigException("report '" + title + "' has no variants to judge");
        }
        if (profiles.isEmpty()) {
            throw new InvalidConfigException("report '" + title + "' has no hardware profiles to judge against");
        }
        Set<String> names = new HashSet<>();
        for (Variant v : variants) {
            if (!names.add(v.name())) {
                throw new InvalidConfigException("report '" + title + "' has two variants named " + v.name());
            }
        }
        Set<String> ids = profiles.stream().map(HardwareProfile::id).collect(Collectors.toCollection(TreeSet::new));
        if (ids.size() != profiles.size()) {
            throw new InvalidConfigException("report '" + title + "' lists a hardware profile twice");
        }
        for (Map.Entry<String, Double> e : minAccuracy.entrySet()) {
            if (!ids.contains(e.getKey())) {
                throw new InvalidConfigException("min_accuracy names profile " + e.getKey()
                        + " which is not among the report's profiles " + ids);
            }
            Double t = e.getValue();
            if (t == null || !(t >= 0 && t <= 1)) {
                throw new InvalidConfigException("min_accuracy." + e.getKey() + " must be in [0, 1], was " + t);
            }
        }
    }
}
