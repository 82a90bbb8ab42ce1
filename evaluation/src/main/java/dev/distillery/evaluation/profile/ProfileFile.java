package dev.distillery.evaluation.profile;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.InvalidConfigException;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The YAML shape of a profile, every field nullable, so that a missing or misspelt value is reported by its
 * YAML name instead of surfacing as a Jackson type error or a silent zero.
 */
record ProfileFile(
        String name,
        String description,
        List<String> precisions,
        @JsonProperty("ram_bytes") Long ramBytes,
        @JsonProperty("flash_bytes") Long flashBytes,
        @JsonProperty("throughput_macs_per_s") Map<String, Double> throughputMacsPerS,
        @JsonProperty("memory_bandwidth_bytes_per_s") Double memoryBandwidthBytesPerS,
        @JsonProperty("energy_pj_per_mac") Map<String, Double> energyPjPerMac,
        @JsonProperty("energy_pj_per_byte") Double energyPjPerByte,
        @JsonProperty("supported_ops") List<String> supportedOps,
        @JsonProperty("weights_in_ram") Boolean weightsInRam,
        @JsonProperty("invocation_overhead_s") Double invocationOverheadS,
        List<Citation> sources,
        ToolchainFile toolchain) {

    /** The YAML shape of {@code toolchain:}, every field nullable. */
    record ToolchainFile(
            String format,
            @JsonProperty("per_tensor_weights") List<String> perTensorWeights,
            @JsonProperty("per_tensor_rule") String perTensorRule,
            String core,
            @JsonProperty("clock_hz") Double clockHz,
            @JsonProperty("cycles_per_instruction") Double cyclesPerInstruction) {

        Toolchain toToolchain() {
            DeployFormat f = parse("toolchain.format", () -> DeployFormat.parse(required("toolchain.format", format)));
            Set<Operator> ops = EnumSet.noneOf(Operator.class);
            for (String op : perTensorWeights == null ? List.<String>of() : perTensorWeights) {
                ops.add(parse("toolchain.per_tensor_weights", () -> Operator.parse(op)));
            }
            return new Toolchain(f, ops, perTensorRule, java.util.Optional.ofNullable(core),
                    clockHz == null ? 0 : clockHz, cyclesPerInstruction == null ? 0 : cyclesPerInstruction);
        }
    }

    HardwareProfile toProfile(String id) {
        Set<Precision> parsedPrecisions = parsePrecisions();
        return new HardwareProfile(id, required("name", name), description, parsedPrecisions,
                required("ram_bytes", ramBytes), required("flash_bytes", flashBytes),
                byPrecision("throughput_macs_per_s", throughputMacsPerS),
                required("memory_bandwidth_bytes_per_s", memoryBandwidthBytesPerS),
                byPrecision("energy_pj_per_mac", energyPjPerMac),
                required("energy_pj_per_byte", energyPjPerByte),
                parseOps(), required("weights_in_ram", weightsInRam),
                required("invocation_overhead_s", invocationOverheadS), citedSources(),
                toolchain == null ? Toolchain.DEFAULT : toolchain.toToolchain());
    }

    /** Every figure must be named by some source: a number nobody can trace is worse than none. */
    private List<Citation> citedSources() {
        List<Citation> cited = required("sources", sources);
        Set<String> uncovered = new java.util.TreeSet<>(Citation.FIGURES);
        for (Citation c : cited) {
            if (c == null) {
                throw new InvalidConfigException("sources has an empty entry");
            }
            c.figures().forEach(uncovered::remove);
        }
        if (!uncovered.isEmpty()) {
            throw new InvalidConfigException("sources cite no document for " + String.join(", ", uncovered)
                    + "; add it to the figures list of the source it comes from");
        }
        return cited;
    }

    private Set<Precision> parsePrecisions() {
        List<String> ids = required("precisions", precisions);
        Set<Precision> out = EnumSet.noneOf(Precision.class);
        for (String p : ids) {
            out.add(parse("precisions", () -> Precision.parse(p)));
        }
        return out;
    }

    private Set<Operator> parseOps() {
        List<String> ids = required("supported_ops", supportedOps);
        Set<Operator> out = EnumSet.noneOf(Operator.class);
        for (String op : ids) {
            out.add(parse("supported_ops", () -> Operator.parse(op)));
        }
        return out;
    }

    private static Map<Precision, Double> byPrecision(String field, Map<String, Double> raw) {
        Map<Precision, Double> out = new EnumMap<>(Precision.class);
        for (Map.Entry<String, Double> e : required(field, raw).entrySet()) {
            Precision p = parse(field, () -> Precision.parse(e.getKey()));
            if (e.getValue() == null) {
                throw new InvalidConfigException(field + "." + e.getKey() + " is missing a value");
            }
            out.put(p, e.getValue());
        }
        return out;
    }

    private static <T> T required(String field, T value) {
        if (value == null) {
            throw new InvalidConfigException(field + " is missing");
        }
        return value;
    }

    private static <T> T parse(String field, Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(field + ": " + e.getMessage());
        }
    }

    /** Field names as they appear in YAML, for "unknown field" messages. */
    static List<String> fieldNames() {
        return List.of("name", "description", "precisions", "ram_bytes", "flash_bytes",
                "throughput_macs_per_s", "memory_bandwidth_bytes_per_s", "energy_pj_per_mac", "energy_pj_per_byte",
                "supported_ops", "weights_in_ram", "invocation_overhead_s", "sources", "toolchain");
    }
}
