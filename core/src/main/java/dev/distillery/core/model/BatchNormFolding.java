package dev.distillery.core.model;

import dev.distillery.core.error.DataContractException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges every batch norm into the convolution, depthwise convolution or dense layer right before it, so that the
 * folded model computes the same logits without batch norm layers: with {@code s = gamma / sqrt(var + eps)} per
 * output channel, {@code w' = w * s} and {@code b' = (b - mean) * s + beta}. Quantization, pruning, integer
 * conversion, ONNX export and the cost model all work on folded models; {@link #requireFolded} is their guard.
 */
public final class BatchNormFolding {
    private BatchNormFolding() {
    }

    /** The model with its batch norms folded away; a model without batch norm comes back as it is. */
    public static ModelArtifact fold(ModelArtifact model) {
        Architecture arch = model.architecture();
        if (!arch.hasBatchNorm()) {
            return model;
        }
        if (model.quant() != null) {
            throw new DataContractException(arch.name() + " has batch norm and a quantization spec; quantization "
                    + "must be calibrated on the folded model");
        }
        List<LayerInfo> infos = arch.layerInfos();
        checkFoldable(arch, infos);
        Map<String, float[]> params = new LinkedHashMap<>();
        int newIndex = -1;
        for (int i = 0; i < infos.size(); i++) {
            LayerInfo info = infos.get(i);
            if (info.batchNorm()) {
                continue;
            }
            newIndex++;
            if (!info.spec().hasWeights()) {
                continue;
            }
            float[] w = model.params().get(info.weightName()).clone();
            float[] b = model.params().get(info.biasName()).clone();
            if (i + 1 < infos.size() && infos.get(i + 1).batchNorm()) {
                foldInto(w, b, infos.get(i + 1), model.params());
            }
            params.put("L" + newIndex + "_w", w);
            params.put("L" + newIndex + "_b", b);
        }
        Map<String, String> meta = new LinkedHashMap<>(model.metadata());
        meta.put("batch_norm", "folded");
        meta.put("batch_norm_layers", String.valueOf(infos.stream().filter(LayerInfo::batchNorm).count()));
        return new ModelArtifact(model.kind(), foldArchitecture(arch), params, meta, null);
    }

    /** The architecture a folded model of {@code arch} has (same name, no batch norm layers). */
    public static Architecture foldArchitecture(Architecture arch) {
        if (!arch.hasBatchNorm()) {
            return arch;
        }
        checkFoldable(arch, arch.layerInfos());
        return arch.withLayers(arch.name(), Architecture.without(arch.layers(),
                i -> arch.layers().get(i) instanceof LayerSpec.BatchNorm));
    }

    /**
     * Refuses a model with batch norm where {@code consumer} (integer conversion, ONNX export, pruning, calibration,
     * the cost model) would compute without it: such code sees only the convolution and dense layers, so it would
     * silently drop the normalisation.
     */
    public static void requireFolded(Architecture arch, String consumer) {
        for (LayerInfo info : arch.layerInfos()) {
            if (info.batchNorm()) {
                throw new DataContractException(consumer + " needs a model without batch norm, but " + arch.name()
                        + " has batch_norm at layer " + info.index() + "; fold it first (BatchNormFolding.fold: "
                        + "the distill stage saves students folded)");
            }
        }
    }

    private static void checkFoldable(Architecture arch, List<LayerInfo> infos) {
        java.util.Set<Integer> read = arch.residualSources();
        for (LayerInfo info : infos) {
            if (!info.batchNorm()) {
                continue;
            }
            LayerSpec before = info.index() == 0 ? null : infos.get(info.index() - 1).spec();
            if (!(before instanceof LayerSpec.Conv2d || before instanceof LayerSpec.DepthwiseConv2d
                    || before instanceof LayerSpec.Dense)) {
                throw new DataContractException("batch_norm at layer " + info.index() + " of " + arch.name()
                        + " follows " + (before == null ? "the input" : before.toString()) + "; only a batch norm "
                        + "right after a conv2d, depthwise_conv2d or dense layer can be folded");
            }
            if (read.contains(info.index() - 1)) {
                throw new DataContractException("batch_norm at layer " + info.index() + " of " + arch.name()
                        + " follows layer " + (info.index() - 1) + ", whose output before the batch norm an add "
                        + "reads; folding would change what the add reads, so add from layer " + info.index()
                        + " instead");
            }
        }
    }

    /** Scales output channel {@code c} of {@code w} and {@code b} in place; every weight layout ends in its channel axis. */
    private static void foldInto(float[] w, float[] b, LayerInfo bn, Map<String, float[]> params) {
        double eps = ((LayerSpec.BatchNorm) bn.spec()).epsilon();
        float[] gamma = params.get(bn.gammaName());
        float[] beta = params.get(bn.betaName());
        float[] mean = params.get(bn.meanName());
        float[] var = params.get(bn.varianceName());
        int channels = b.length;
        double[] scale = new double[channels];
        for (int c = 0; c < channels; c++) {
            if (!(var[c] >= 0) || !Float.isFinite(var[c])) {
                throw new DataContractException("batch_norm at layer " + bn.index() + " has variance " + var[c]
                        + " in channel " + c + "; expected a finite value >= 0");
            }
            scale[c] = gamma[c] / Math.sqrt(var[c] + eps);
            b[c] = (float) ((b[c] - mean[c]) * scale[c] + beta[c]);
        }
        // [kH, kW, in, out], [kH, kW, C, 1] and [in, units] all put the channel a weight feeds last (depthwise: its
        // multiplier of 1 adds nothing), so the channel of flat index i is i % channels.
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (w[i] * scale[i % channels]);
        }
    }
}
