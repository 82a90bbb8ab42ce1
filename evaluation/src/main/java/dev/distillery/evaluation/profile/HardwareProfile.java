package dev.distillery.evaluation.profile;

import dev.distillery.core.error.InvalidConfigException;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A target device as the cost model sees it: memory budgets, sustained multiply-accumulate throughput and energy
 * per precision, memory bandwidth, the operators its runtime implements, and the sources of those figures.
 * Messages name the YAML field ({@code ram_bytes must be > 0, was -1}); {@link ProfileLoader} adds the file name.
 *
 * @param ramBytes         memory available to one inference (activations, plus weights if {@code weightsInRam})
 * @param flashBytes       storage for the model file
 * @param weightsInRam     whether weights must be copied into RAM (true on application processors; false on MCUs,
 *                         which execute in place from flash)
 * @param invocationOverheadSeconds fixed cost of one inference call beyond its layers (runtime dispatch, driver
 *                         or accelerator hand-off), added once to the summed roofline
 * @param toolchain        the artifact format the device takes, its weight-granularity rules and the emulated core
 */
public record HardwareProfile(
        String id,
        String name,
        String description,
        Set<Precision> precisions,
        long ramBytes,
        long flashBytes,
        Map<Precision, Double> throughputMacsPerS,
        double memoryBandwidthBytesPerS,
        Map<Precision, Double> energyPjPerMac,
        double energyPjPerByte,
        Set<Operator> supportedOps,
        boolean weightsInRam,
        double invocationOverheadSeconds,
        List<Citation> sources,
        Toolchain toolchain) {

    public HardwareProfile {
        requireText("id", id);
        requireText("name", name);
        description = description == null ? "" : description;
        Objects.requireNonNull(precisions, "precisions");
        if (precisions.isEmpty()) {
            throw new InvalidConfigException("precisions must list at least one of " + Precision.knownIds());
        }
        precisions = Collections.unmodifiableSet(EnumSet.copyOf(precisions));
        positive("ram_bytes", ramBytes);
        positive("flash_bytes", flashBytes);
        throughputMacsPerS = perPrecision("throughput_macs_per_s", throughputMacsPerS, precisions);
        positive("memory_bandwidth_bytes_per_s", memoryBandwidthBytesPerS);
        energyPjPerMac = perPrecision("energy_pj_per_mac", energyPjPerMac, precisions);
        positive("energy_pj_per_byte", energyPjPerByte);
        Objects.requireNonNull(supportedOps, "supported_ops");
        if (supportedOps.isEmpty()) {
            throw new InvalidConfigException("supported_ops must list at least one operator");
        }
        supportedOps = Collections.unmodifiableSet(EnumSet.copyOf(supportedOps));
        if (!(invocationOverheadSeconds >= 0) || Double.isInfinite(invocationOverheadSeconds)) {
            throw new InvalidConfigException("invocation_overhead_s must be a finite number >= 0, was "
                    + invocationOverheadSeconds);
        }
        // A figure nobody can trace is worse than none: every profile must say where its numbers come from.
        if (sources == null || sources.isEmpty()) {
            throw new InvalidConfigException("sources must cite at least one document for the figures");
        }
        sources = List.copyOf(sources);
        toolchain = toolchain == null ? Toolchain.DEFAULT : toolchain;
    }

    /** A profile whose toolchain takes ONNX and every weight granularity, with nothing emulated. */
    public HardwareProfile(String id, String name, String description, Set<Precision> precisions, long ramBytes,
                           long flashBytes, Map<Precision, Double> throughputMacsPerS,
                           double memoryBandwidthBytesPerS, Map<Precision, Double> energyPjPerMac,
                           double energyPjPerByte, Set<Operator> supportedOps, boolean weightsInRam,
                           double invocationOverheadSeconds, List<Citation> sources) {
        this(id, name, description, precisions, ramBytes, flashBytes, throughputMacsPerS, memoryBandwidthBytesPerS,
                energyPjPerMac, energyPjPerByte, supportedOps, weightsInRam, invocationOverheadSeconds, sources,
                Toolchain.DEFAULT);
    }

    /**
     * The figures named by a source marked {@code assumed}: Distillery's own estimates rather than numbers a
     * document states or that follow from one by stated arithmetic. Sorted, empty when every figure is sourced.
     */
    public java.util.SortedSet<String> assumedFigures() {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        sources.stream().filter(Citation::assumed).forEach(c -> out.addAll(c.figures()));
        return java.util.Collections.unmodifiableSortedSet(out);
    }

    public boolean supports(Precision precision) {
        return precisions.contains(precision);
    }

    public boolean supports(Operator op) {
        return supportedOps.contains(op);
    }

    /** Sustained MACs per second at a supported precision. */
    public double throughput(Precision precision) {
        return requireSupported(throughputMacsPerS, precision);
    }

    /** Energy charged per MAC at a supported precision, in picojoules. */
    public double energyPerMac(Precision precision) {
        return requireSupported(energyPjPerMac, precision);
    }

    private double requireSupported(Map<Precision, Double> figures, Precision precision) {
        Double value = figures.get(precision);
        if (value == null) {
            throw new IllegalArgumentException("profile " + id + " does not support " + precision
                    + " (supports " + precisions + ")");
        }
        return value;
    }

    private static Map<Precision, Double> perPrecision(String field, Map<Precision, Double> values,
                                                      Set<Precision> precisions) {
        if (values == null) {
            throw new InvalidConfigException(field + " is missing");
        }
        for (Precision p : precisions) {
            if (!values.containsKey(p)) {
                throw new InvalidConfigException(field + " has no entry for " + p + ", which is in precisions "
                        + precisions);
            }
        }
        for (Map.Entry<Precision, Double> e : values.entrySet()) {
            // An entry for an unlisted precision is almost always a typo in one of the two lists.
            if (!precisions.contains(e.getKey())) {
                throw new InvalidConfigException(field + " has an entry for " + e.getKey()
                        + ", which is not in precisions " + precisions);
            }
            positive(field + "." + e.getKey(), e.getValue() == null ? Double.NaN : e.getValue());
        }
        return Collections.unmodifiableMap(new EnumMap<>(values));
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidConfigException(field + " is missing");
        }
    }

    private static void positive(String field, long value) {
        if (value <= 0) {
            throw new InvalidConfigException(field + " must be > 0, was " + value);
        }
    }

    private static void positive(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new InvalidConfigException(field + " must be a finite number > 0, was " + value);
        }
    }
}
