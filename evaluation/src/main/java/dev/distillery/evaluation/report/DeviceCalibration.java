package dev.distillery.evaluation.report;

import dev.distillery.evaluation.cost.CostModel;
import dev.distillery.evaluation.profile.DeployFormat;
import dev.distillery.evaluation.profile.HardwareProfile;
import dev.distillery.evaluation.profile.Precision;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Calibrates the microcontroller estimates on measured builds. The emulated core gives an exact instruction count
 * per inference; divided by the variant's MACs it is the instructions the project's C kernels spend per MAC on that
 * core. Summed over every variant of one precision measured there, it replaces the profile's assumed integer MAC rate by
 * {@code clock / (cycles per instruction x instructions per MAC)}, so every integer variant on that profile, measured
 * or not, gets a latency estimate grounded in real code. The cycles per instruction remain an assumption of the
 * profile: QEMU counts instructions, not cycles.
 */
final class DeviceCalibration {
    private DeviceCalibration() {
    }

    /** "core/precision" to measured instructions per MAC over the measured variants present in the report. */
    static Map<String, Double> instructionsPerMac(List<DeviceMeasurement> measurements, List<Variant> variants) {
        Map<String, long[]> sums = new TreeMap<>();
        for (DeviceMeasurement m : measurements) {
            Optional<Variant> v = variants.stream().filter(x -> x.name().equals(m.variant())).findFirst();
            if (v.isEmpty() || v.get().macs() == 0) {
                continue;
            }
            long[] s = sums.computeIfAbsent(key(m.core(), v.get().precision()), k -> new long[2]);
            s[0] += m.instructionsPerInference();
            s[1] += v.get().macs();
        }
        Map<String, Double> out = new TreeMap<>();
        sums.forEach((key, s) -> out.put(key, (double) s[0] / s[1]));
        return out;
    }

    private static String key(String core, Precision precision) {
        return core + "/" + precision.id();
    }

    /**
     * The profile with each integer MAC rate calibrated on its core's measurements of that precision; itself when
     * there are none, or when the device does not run the C build (an NPU whose toolchain takes TFLite: the
     * emulated core is its CPU, not the accelerator the profile's rates describe).
     */
    static HardwareProfile calibrated(HardwareProfile p, Map<String, Double> instructionsPerMac) {
        Optional<String> core = p.toolchain().core();
        if (core.isEmpty() || p.toolchain().format() != DeployFormat.C) {
            return p;
        }
        Map<Precision, Double> throughput = new EnumMap<>(p.throughputMacsPerS());
        boolean changed = false;
        for (Map.Entry<Precision, Double> e : throughput.entrySet()) {
            Double perMac = instructionsPerMac.get(key(core.get(), e.getKey()));
            if (e.getKey().integer() && perMac != null) {
                e.setValue(p.toolchain().clockHz() / (p.toolchain().cyclesPerInstruction() * perMac));
                changed = true;
            }
        }
        if (!changed) {
            return p;
        }
        return new HardwareProfile(p.id(), p.name(), p.description(), p.precisions(), p.ramBytes(), p.flashBytes(),
                throughput, p.memoryBandwidthBytesPerS(), p.energyPjPerMac(), p.energyPjPerByte(), p.supportedOps(),
                p.weightsInRam(), p.invocationOverheadSeconds(), p.sources(), p.toolchain());
    }

    /** One row per variant measured on the profile's core, beside the declared and calibrated estimates. */
    static List<DeviceRow> rows(HardwareProfile declared, HardwareProfile calibrated, List<Variant> variants,
                                List<ProfileRow> profileRows, List<DeviceMeasurement> measurements) {
        List<DeviceRow> out = new ArrayList<>();
        Optional<String> core = declared.toolchain().core();
        if (core.isEmpty()) {
            return out;
        }
        for (DeviceMeasurement m : measurements) {
            Optional<Variant> found = variants.stream().filter(x -> x.name().equals(m.variant())).findFirst();
            if (!m.core().equals(core.get()) || found.isEmpty()) {
                continue;
            }
            Variant v = found.get();
            ProfileRow row = profileRows.stream().filter(r -> r.variant().equals(v.name())).findFirst().orElseThrow();
            // the latency of a device that runs the model elsewhere (an NPU) is not comparable with its CPU's count
            boolean comparable = declared.toolchain().format() == DeployFormat.C;
            OptionalDouble estimated = comparable && declared.supports(v.precision())
                    ? CostModel.estimate(v.architecture(), v.precision(), declared, v.sizeBytes(), v.nonzeroWeights())
                    .latencyMillis() : OptionalDouble.empty();
            double measuredMs = m.instructionsPerInference() * declared.toolchain().cyclesPerInstruction()
                    / declared.toolchain().clockHz() * 1e3;
            out.add(new DeviceRow(v.name(), declared.id(), m, measuredMs, estimated,
                    comparable && calibrated != declared && calibrated.supports(v.precision())
                            ? row.cost().latencyMillis() : OptionalDouble.empty(),
                    row.cost().flashBytes(), row.cost().ramBytes()));
        }
        return out;
    }
}
