package dev.distillery.evaluation.report;

import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.evaluation.cost.CostEstimate;
import dev.distillery.evaluation.cost.CostModel;
import dev.distillery.evaluation.measure.LatencyMeasurement;
import dev.distillery.evaluation.profile.DeployFormat;
import dev.distillery.evaluation.profile.HardwareProfile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
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
    private final Map<String, Double> maxLatencyMs = new LinkedHashMap<>();
    private final Map<String, Double> maxAccuracyDrop = new LinkedHashMap<>();
    private final List<String> required = new ArrayList<>();
    private HardwareProfile host;
    private final List<String> classNames = new ArrayList<>();
    private final Map<String, String> notes = new LinkedHashMap<>();
    private final Map<String, Map<DeployFormat, Artifact>> artifacts = new LinkedHashMap<>();
    private boolean artifactsKnown;
    private final List<DeviceMeasurement> deviceMeasurements = new ArrayList<>();
    private final Map<String, Double> downloadLinks = new LinkedHashMap<>();
    private double inferencesPerDay;

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

    /** Latency thresholds in milliseconds by profile id, as in {@code evaluation.max_latency_ms}. */
    public ReportBuilder maxLatencyMs(Map<String, Double> thresholds) {
        maxLatencyMs.putAll(thresholds);
        return this;
    }

    /** Largest accuracy drop against the teacher by profile id, as in {@code evaluation.max_accuracy_drop}. */
    public ReportBuilder maxAccuracyDrop(Map<String, Double> thresholds) {
        maxAccuracyDrop.putAll(thresholds);
        return this;
    }

    /** Profiles that must have a passing candidate, as in {@code evaluation.required_profiles}. */
    public ReportBuilder requiredProfiles(List<String> ids) {
        required.addAll(ids);
        return this;
    }

    /** The profile of the machine the variants were timed on; its estimates are checked against the measurements. */
    public ReportBuilder hostProfile(HardwareProfile profile) {
        this.host = profile;
        return this;
    }

    /** Class names by index, shown in per-class tables, confusion matrices and model cards. */
    public ReportBuilder classNames(List<String> names) {
        classNames.clear();
        classNames.addAll(names);
        return this;
    }

    /**
     * The artifacts export wrote, by variant name and format. Once given, a candidate without an artifact in a
     * profile's format fails that profile: its toolchain has nothing to take.
     */
    public ReportBuilder artifacts(Map<String, Map<DeployFormat, Artifact>> byVariant) {
        byVariant.forEach((v, files) -> artifacts.put(v, Map.copyOf(files)));
        artifactsKnown = true;
        return this;
    }

    /** C builds measured on emulated cores; they calibrate the latency estimates of the profiles on those cores. */
    public ReportBuilder deviceMeasurements(List<DeviceMeasurement> measured) {
        deviceMeasurements.addAll(measured);
        return this;
    }

    /** Link name to bits per second, and inferences per day: the deployment context of each recommendation. */
    public ReportBuilder deploymentContext(Map<String, Double> linkBitsPerSecond, double perDay) {
        downloadLinks.putAll(linkBitsPerSecond);
        this.inferencesPerDay = perDay;
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
        Map<String, List<String>> pareto = new LinkedHashMap<>();
        OptionalDouble teacher = variants.stream().filter(v -> !v.candidate()).mapToDouble(Variant::accuracy)
                .findFirst();
        Map<String, Double> instructionsPerMac = DeviceCalibration.instructionsPerMac(deviceMeasurements, variants);
        List<DeviceRow> deviceRows = new ArrayList<>();
        List<Deployment> deployments = new ArrayList<>();
        for (HardwareProfile declared : profiles) {
            HardwareProfile profile = DeviceCalibration.calibrated(declared, instructionsPerMac);
            GateThresholds gate = new GateThresholds(opt(minAccuracy, profile.id()), opt(maxLatencyMs, profile.id()),
                    opt(maxAccuracyDrop, profile.id()));
            List<ProfileRow> profileRows = new ArrayList<>();
            for (Variant v : variants) {
                if (v.architecture() == null) {
                    continue;   // an ONNX teacher: no layers to estimate, and a reference, never shipped
                }
                CostEstimate cost = CostModel.estimate(v.architecture(), v.precision(), profile, v.sizeBytes(),
                        v.nonzeroWeights()).unsupportedBecause(WeightSchemes.violations(v, profile))
                        .unsupportedBecause(missingArtifact(v, profile));
                profileRows.add(Gates.judge(v, cost, gate, teacher));
            }
            Gates.recommend(variants, profileRows, profile.id()).ifPresent(v -> recommended.put(profile.id(), v.name()));
            deviceRows.addAll(DeviceCalibration.rows(declared, profile, variants, profileRows, deviceMeasurements));
            if (recommended.containsKey(profile.id())) {
                deployment(profile, recommended.get(profile.id()), profileRows).ifPresent(deployments::add);
            }
            pareto.put(profile.id(), Gates.paretoFront(variants, profileRows, profile.id()));
            rows.addAll(profileRows);
        }
        List<CostCheck> checks = new ArrayList<>();
        if (host != null) {
            for (Variant v : variants) {
                if (v.measurements().isEmpty() || v.architecture() == null || !host.supports(v.precision())) {
                    continue;
                }
                double estimate = CostModel.estimate(v.architecture(), v.precision(), host, v.sizeBytes(),
                        v.nonzeroWeights()).latencyMillis().orElseThrow();
                for (LatencyMeasurement m : v.measurements()) {
                    checks.add(CostCheck.of(v.name(), m.runtime(), m.medianMs(), m.p90Ms(), estimate));
                }
            }
        }
        return new Report(title, created, configHash, dataset, profiles, variants, rows, notes, recommended, pareto,
                host == null ? null : host.id(), checks, required, classNames, Ablation.of(variants), deviceRows,
                deployments);
    }

    private List<String> missingArtifact(Variant v, HardwareProfile profile) {
        DeployFormat format = profile.toolchain().format();
        if (!artifactsKnown || !v.candidate() || artifacts.getOrDefault(v.name(), Map.of()).containsKey(format)) {
            return List.of();
        }
        return List.of(profile.id() + " takes " + format + " and export wrote no " + format + " artifact of "
                + v.name() + (v.precision().integer() ? "" : " (" + format + " artifacts are written for integer "
                + "variants only)"));
    }

    private java.util.Optional<Deployment> deployment(HardwareProfile profile, String variantName,
                                                      List<ProfileRow> rows) {
        Artifact artifact = artifacts.getOrDefault(variantName, Map.of()).get(profile.toolchain().format());
        if (artifact == null) {
            return java.util.Optional.empty();
        }
        ProfileRow row = rows.stream().filter(r -> r.variant().equals(variantName)).findFirst().orElseThrow();
        long download = artifact.bytes();
        if (profile.toolchain().format() == DeployFormat.C) {
            // firmware carries compiled code, not source text: the measured flash image, else the integer model
            long modelBytes = variants.stream().filter(v -> v.name().equals(variantName)).findFirst().orElseThrow()
                    .sizeBytes();
            download = deviceMeasurements.stream().filter(m -> m.variant().equals(variantName)
                            && profile.toolchain().core().map(m.core()::equals).orElse(false))
                    .mapToLong(DeviceMeasurement::flashBytes).findFirst().orElse(modelBytes);
        }
        OptionalDouble energy = row.cost().energyMicrojoules();
        OptionalDouble perDay = energy.isPresent()
                ? OptionalDouble.of(energy.getAsDouble() * 1e-6 * inferencesPerDay) : OptionalDouble.empty();
        return java.util.Optional.of(new Deployment(profile.id(), variantName, profile.toolchain().format(),
                artifact.path(), artifact.bytes(), download, Deployment.downloadSeconds(download, downloadLinks),
                inferencesPerDay, perDay));
    }

    private static OptionalDouble opt(Map<String, Double> values, String id) {
        Double v = values.get(id);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
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
        checkThresholds("min_accuracy", minAccuracy, ids, 1);
        checkThresholds("max_accuracy_drop", maxAccuracyDrop, ids, 1);
        checkThresholds("max_latency_ms", maxLatencyMs, ids, Double.MAX_VALUE);
        for (String id : required) {
            if (!ids.contains(id)) {
                throw new InvalidConfigException("required_profiles names profile " + id
                        + " which is not among the report's profiles " + ids);
            }
        }
        if (variants.stream().filter(v -> !v.candidate()).count() > 1) {
            throw new InvalidConfigException("report '" + title + "' has more than one teacher variant");
        }
    }

    private static void checkThresholds(String key, Map<String, Double> values, Set<String> ids, double max) {
        for (Map.Entry<String, Double> e : values.entrySet()) {
            if (!ids.contains(e.getKey())) {
                throw new InvalidConfigException(key + " names profile " + e.getKey()
                        + " which is not among the report's profiles " + ids);
            }
            Double t = e.getValue();
            if (t == null || !(t >= 0 && t <= max)) {
                throw new InvalidConfigException(key + "." + e.getKey() + " must be in [0, " + max + "], was " + t);
            }
        }
    }
}
