package dev.distillery.evaluation.cost;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.evaluation.profile.HardwareProfile;
import dev.distillery.evaluation.profile.Operator;
import dev.distillery.evaluation.profile.Precision;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Estimates memory, latency and energy of an architecture on a hardware profile from shapes alone.
 *
 * <p>Integer weights are counted as their packed codes plus an int32 bias and one fp32 scale per output channel
 * (symmetric per-channel quantization, so no weight zero points). Activations are counted at the precision's
 * activation width. Latency is a per-layer roofline: {@code max(macs / throughput, bytes / bandwidth)}, summed.
 */
public final class CostModel {
    /** Integer kernels accumulate in int32, so biases are stored as int32. */
    static final int INT_BIAS_BYTES = 4;
    /** One fp32 scale per output channel. */
    static final int SCALE_BYTES = 4;

    private CostModel() {
    }

    /** Estimates with the flash need taken as the computed weight bytes. */
    public static CostEstimate estimate(Architecture architecture, Precision precision, HardwareProfile profile) {
        return estimate(architecture, precision, profile, weightBytes(architecture, precision));
    }

    /**
     * Estimates with an explicit flash need, normally the size of the model file that would be deployed: it
     * carries headers and metadata the layer list does not know about.
     */
    public static CostEstimate estimate(Architecture architecture, Precision precision, HardwareProfile profile,
                                        long modelFileBytes) {
        if (modelFileBytes <= 0) {
            throw new IllegalArgumentException("model file size must be > 0 bytes, was " + modelFileBytes);
        }
        List<LayerInfo> infos = architecture.layerInfos();
        long weightBytes = weightBytes(architecture, precision);
        long peak = peakActivationBytes(architecture, precision);
        long ramNeed = peak + (profile.weightsInRam() ? weightBytes : 0);
        boolean fitsRam = ramNeed <= profile.ramBytes();
        boolean fitsFlash = modelFileBytes <= profile.flashBytes();

        List<String> reasons = new ArrayList<>();
        boolean precisionOk = profile.supports(precision);
        if (!precisionOk) {
            reasons.add(profile.id() + " does not run " + precision + " (runs " + joinIds(profile) + ")");
        }
        boolean opsOk = true;
        for (Map.Entry<Operator, List<Integer>> missing : unsupportedOps(infos, profile).entrySet()) {
            opsOk = false;
            reasons.add(profile.id() + " has no " + missing.getKey() + " operator (layer"
                    + (missing.getValue().size() > 1 ? "s " : " ")
                    + missing.getValue().stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")");
        }
        if (!fitsRam) {
            String parts = profile.weightsInRam()
                    ? " (peak activations " + bytes(peak) + " + weights " + bytes(weightBytes) + ")" : "";
            reasons.add("needs " + bytes(ramNeed) + " of RAM" + parts + ", " + profile.id() + " has "
                    + bytes(profile.ramBytes()));
        }
        if (!fitsFlash) {
            reasons.add("needs " + bytes(modelFileBytes) + " of flash, " + profile.id() + " has "
                    + bytes(profile.flashBytes()));
        }

        List<LayerCost> layers = new ArrayList<>();
        OptionalDouble latency = OptionalDouble.empty();
        OptionalDouble energy = OptionalDouble.empty();
        if (precisionOk) {
            double macRate = profile.throughput(precision);
            double bandwidth = profile.memoryBandwidthBytesPerS();
            double seconds = 0;
            long traffic = 0;
            for (LayerInfo info : infos) {
                long moved = bytesMoved(info, precision);
                LayerCost cost = new LayerCost(info.index(), Operator.of(info.spec()), info.macs(), moved,
                        info.macs() / macRate, moved / bandwidth);
                layers.add(cost);
                seconds += cost.latencySeconds();
                traffic += moved;
            }
            latency = OptionalDouble.of(seconds);
            double picojoules = architecture.macs() * profile.energyPerMac(precision)
                    + traffic * profile.energyPjPerByte();
            energy = OptionalDouble.of(picojoules * 1e-6);
        }
        return new CostEstimate(architecture.name(), profile.id(), precision, architecture.parameterCount(),
                architecture.macs(), weightBytes, modelFileBytes, peak, ramNeed, layers, latency, energy,
                fitsRam, fitsFlash, precisionOk && opsOk, reasons);
    }

    /** Bytes of all weights, biases and quantization scales at a precision. */
    public static long weightBytes(Architecture architecture, Precision precision) {
        return architecture.layerInfos().stream().mapToLong(l -> weightBytes(l, precision)).sum();
    }

    /** Bytes of one layer's weights, biases and quantization scales at a precision. */
    public static long weightBytes(LayerInfo layer, Precision precision) {
        if (!layer.spec().hasWeights()) {
            return 0;
        }
        if (!precision.integer()) {
            return layer.params() * (precision.weightBits() / 8);
        }
        long codes = (layer.weightCount() * precision.weightBits() + 7) / 8;
        return codes + layer.biasCount() * INT_BIAS_BYTES + (long) layer.outChannels() * SCALE_BYTES;
    }

    /**
     * The largest sum of live activations over the execution order: while layer i runs, its input and its output
     * are both live. ReLU and flatten run in place (a flatten is a reshape of the same buffer), so they hold one.
     */
    public static long peakActivationBytes(Architecture architecture, Precision precision) {
        long peak = 0;
        for (LayerInfo info : architecture.layerInfos()) {
            long live = inPlace(info.spec()) ? info.input().elements()
                    : info.input().elements() + info.output().elements();
            peak = Math.max(peak, live);
        }
        return peak * precision.activationBytes();
    }

    /** Bytes a layer reads and writes: its activations plus its parameters; a flatten moves nothing. */
    static long bytesMoved(LayerInfo info, Precision precision) {
        if (info.spec() instanceof LayerSpec.Flatten) {
            return 0;
        }
        // ReLU still reads and writes every element even in place; fused ReLUs would be cheaper, so this errs high.
        long activations = (info.input().elements() + info.output().elements()) * precision.activationBytes();
        return activations + weightBytes(info, precision);
    }

    private static boolean inPlace(LayerSpec spec) {
        return spec instanceof LayerSpec.Relu || spec instanceof LayerSpec.Flatten;
    }

    private static Map<Operator, List<Integer>> unsupportedOps(List<LayerInfo> infos, HardwareProfile profile) {
        Map<Operator, List<Integer>> missing = new TreeMap<>();
        for (LayerInfo info : infos) {
            Operator op = Operator.of(info.spec());
            if (!profile.supports(op)) {
                missing.computeIfAbsent(op, k -> new ArrayList<>()).add(info.index());
            }
        }
        return missing;
    }

    private static String joinIds(HardwareProfile profile) {
        return profile.precisions().stream().map(Precision::id).collect(Collectors.joining(", "));
    }

    private static String bytes(long n) {
        return String.format(Locale.ROOT, "%,d B", n);
    }
}
