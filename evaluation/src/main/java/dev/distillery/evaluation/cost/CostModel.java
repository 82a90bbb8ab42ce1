package dev.distillery.evaluation.cost;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.TensorLifetimes;
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
 * activation width and planned by {@link TensorLifetimes}. Latency is the profile's per-call overhead plus a
 * per-layer roofline, {@code max(macs / throughput, bytes / bandwidth)}, summed over the layers. Zero weights do
 * not shorten latency: the runtimes modelled here compute dense kernels, so sparsity only shows in
 * {@link CostEstimate#sparseWeightBytes()}.
 */
public final class CostModel {
    /** Integer kernels accumulate in int32, so biases are stored as int32. */
    static final int INT_BIAS_BYTES = 4;
    /** One fp32 scale per output channel. */
    static final int SCALE_BYTES = 4;

    private CostModel() {
    }

    /** Estimates with the flash need taken as the computed weight bytes and every weight assumed non-zero. */
    public static CostEstimate estimate(Architecture architecture, Precision precision, HardwareProfile profile) {
        return estimate(architecture, precision, profile, weightBytes(architecture, precision), List.of());
    }

    /** Estimates with an explicit flash need and every weight assumed non-zero. */
    public static CostEstimate estimate(Architecture architecture, Precision precision, HardwareProfile profile,
                                        long modelFileBytes) {
        return estimate(architecture, precision, profile, modelFileBytes, List.of());
    }

    /**
     * Estimates with an explicit flash need, normally the size of the model file that would be deployed (it
     * carries headers and metadata the layer list does not know about), and the non-zero weight count of each
     * layer (indexed like the layers; empty when unknown).
     */
    public static CostEstimate estimate(Architecture architecture, Precision precision, HardwareProfile profile,
                                        long modelFileBytes, List<Long> nonzeroWeights) {
        if (modelFileBytes <= 0) {
            throw new IllegalArgumentException("model file size must be > 0 bytes, was " + modelFileBytes);
        }
        dev.distillery.core.model.BatchNormFolding.requireFolded(architecture, "the cost model");
        List<LayerInfo> infos = architecture.layerInfos();
        long weightBytes = weightBytes(architecture, precision);
        long sparseBytes = sparseWeightBytes(architecture, precision, nonzeroWeights);
        TensorLifetimes.Peak peak = TensorLifetimes.of(infos).peak();
        long peakBytes = peak.elements() * precision.activationBytes();
        long ramNeed = peakBytes + (profile.weightsInRam() ? weightBytes : 0);
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
                    ? " (peak activations " + bytes(peakBytes) + " + weights " + bytes(weightBytes) + ")" : "";
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
            double seconds = profile.invocationOverheadSeconds();
            double picojoules = 0;
            for (LayerInfo info : infos) {
                long moved = bytesMoved(info, precision);
                double pj = info.macs() * profile.energyPerMac(precision) + moved * profile.energyPjPerByte();
                LayerCost cost = new LayerCost(info.index(), Operator.of(info.spec()), info.macs(),
                        weightBytes(info, precision), moved, info.macs() / macRate, moved / bandwidth, pj);
                layers.add(cost);
                seconds += cost.latencySeconds();
                picojoules += pj;
            }
            latency = OptionalDouble.of(seconds);
            energy = OptionalDouble.of(picojoules * 1e-6);
        }
        return new CostEstimate(architecture.name(), profile.id(), precision, architecture.parameterCount(),
                architecture.macs(), weightBytes, sparseBytes, modelFileBytes, peakBytes, peak.step(), ramNeed, layers,
                latency, energy, fitsRam, fitsFlash, precisionOk && opsOk, reasons);
    }

    /** Bytes of all weights, biases and quantization scales at a precision, stored dense. */
    public static long weightBytes(Architecture architecture, Precision precision) {
        dev.distillery.core.model.BatchNormFolding.requireFolded(architecture, "the cost model");
        return architecture.layerInfos().stream().mapToLong(l -> weightBytes(l, precision)).sum();
    }

    /** Bytes of one layer's weights, biases and quantization scales at a precision, stored dense. */
    public static long weightBytes(LayerInfo layer, Precision precision) {
        return layer.spec().hasWeights() ? codeBytes(layer.weightCount(), precision) + extraBytes(layer, precision) : 0;
    }

    /**
     * Bytes of all weights when each layer picks the smaller of its dense codes and a bitmap encoding (one bit per
     * weight, then the codes of the non-zero weights only). Biases and scales stay dense. Honest about the cost of
     * sparsity: the bitmap is counted, so a layer below 1/bits zeros (e.g. 12.5% at int8) gains nothing.
     *
     * @param nonzeroWeights non-zero weights per layer, indexed like the layers; empty means all non-zero
     */
    public static long sparseWeightBytes(Architecture architecture, Precision precision, List<Long> nonzeroWeights) {
        List<LayerInfo> infos = architecture.layerInfos();
        if (!nonzeroWeights.isEmpty() && nonzeroWeights.size() != infos.size()) {
            throw new IllegalArgumentException("nonzero weight counts list " + nonzeroWeights.size()
                    + " layers, architecture " + architecture.name() + " has " + infos.size());
        }
        long total = 0;
        for (LayerInfo layer : infos) {
            if (!layer.spec().hasWeights()) {
                continue;
            }
            long dense = codeBytes(layer.weightCount(), precision);
            long stored = dense;
            if (!nonzeroWeights.isEmpty()) {
                long nnz = nonzeroWeights.get(layer.index());
                if (nnz < 0 || nnz > layer.weightCount()) {
                    throw new IllegalArgumentException("layer " + layer.index() + " has " + layer.weightCount()
                            + " weights, so its non-zero count must be in [0, " + layer.weightCount() + "], was "
                            + nnz);
                }
                stored = Math.min(dense, (layer.weightCount() + 7) / 8 + codeBytes(nnz, precision));
            }
            total += stored + extraBytes(layer, precision);
        }
        return total;
    }

    private static long codeBytes(long weights, Precision precision) {
        return (weights * precision.weightBits() + 7) / 8;
    }

    private static long extraBytes(LayerInfo layer, Precision precision) {
        if (!precision.integer()) {
            return layer.biasCount() * (precision.weightBits() / 8);
        }
        return layer.biasCount() * INT_BIAS_BYTES + (long) layer.outChannels() * SCALE_BYTES;
    }

    /** The largest sum of live activation bytes over the execution order (see {@link TensorLifetimes}). */
    public static long peakActivationBytes(Architecture architecture, Precision precision) {
        return TensorLifetimes.of(architecture.layerInfos()).peak().elements() * precision.activationBytes();
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
