package dev.distillery.student.nn;

import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.core.nn.GraphHooks;
import dev.distillery.student.quant.WeightQuantizer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

import java.util.TreeMap;

/**
 * Quantization-aware training hooks: the graph computes with quantize-dequantized weights and activations while
 * gradients reach the float parameters through a straight-through estimator.
 *
 * <p>Weights are quantized symmetrically, per output channel (or per tensor) from their current values on every
 * step, so the ranges follow training. Activations use the asymmetric ranges of the {@link QuantSpec}, fixed while
 * a graph lives (the QAT stage moves them between epochs, see {@code ActivationRanges}); points without a range
 * stay float.
 */
public final class FakeQuantHooks implements GraphHooks {
    private static final long serialVersionUID = 2L;

    // Primitive copies rather than the QuantSpec record itself: hooks travel inside Spark closures.
    private final int weightBits;
    private final int depthwiseWeightBits;
    private final int activationBits;
    private final boolean perTensorWeights;
    private final TreeMap<String, Double> activationMax;
    private final TreeMap<String, Double> activationMin;

    public FakeQuantHooks(QuantSpec spec) {
        this.weightBits = spec.weightBits();
        this.depthwiseWeightBits = spec.depthwiseWeightBits();
        this.activationBits = spec.activationBits();
        this.perTensorWeights = spec.perTensorWeights();
        this.activationMax = new TreeMap<>(spec.activationMax());
        this.activationMin = new TreeMap<>(spec.activationMin());
    }

    public QuantSpec spec() {
        return new QuantSpec(weightBits, activationBits, activationMax, activationMin, perTensorWeights,
                depthwiseWeightBits);
    }

    @Override
    public SDVariable weight(SameDiff sd, LayerInfo layer, SDVariable w) {
        double qmax = WeightQuantizer.qmax(bits(layer));
        SDVariable scale = scale(sd, layer, w, true);
        SDVariable codes = sd.math().clipByValue(sd.math().round(w.div(scale)), -qmax, qmax);
        return straightThrough(sd, layer.weightName() + "_fq", w, codes.mul(scale));
    }

    /**
     * The bias as the integer model stores it: an int32 at scale {@code inputScale * weightScale[c]}, so that the
     * graph adds the same rounded bias the integer runtime adds. Without this, the bias rounding of int4 layers
     * (whose weight scales are large) shifts the requantized codes of a whole channel.
     */
    @Override
    public SDVariable bias(SameDiff sd, LayerInfo layer, SDVariable b, SDVariable w) {
        String point = inputPoint(layer.index());
        if (point == null) {
            return b;
        }
        // w arrives fake-quantized, so its largest magnitude per channel is exactly qmax codes.
        SDVariable accScale = scale(sd, layer, w, false).mul(spec().activationScale(point));
        SDVariable fq = sd.math().round(b.div(accScale)).mul(accScale);
        return straightThrough(sd, layer.biasName() + "_fq", b, fq);
    }

    private int bits(LayerInfo layer) {
        return layer.spec() instanceof LayerSpec.DepthwiseConv2d ? depthwiseWeightBits : weightBits;
    }

    /** Per-output-channel (or per-tensor) weight scale, max(max|w|, 1e-8) / qmax, as {@link WeightQuantizer}. */
    private SDVariable scale(SameDiff sd, LayerInfo layer, SDVariable w, boolean keepDims) {
        int rank = layer.weightShape().length;
        int axis = layer.spec() instanceof LayerSpec.DepthwiseConv2d ? 2 : rank - 1;
        SDVariable maxAbs;
        if (perTensorWeights) {
            maxAbs = sd.math().abs(w).max();
        } else {
            int[] reduce = new int[rank - 1];
            for (int d = 0, k = 0; d < rank; d++) {
                if (d != axis) {
                    reduce[k++] = d;
                }
            }
            maxAbs = sd.math().abs(w).max(keepDims, reduce);
        }
        return sd.math().clipByValue(maxAbs, WeightQuantizer.MIN_RANGE, Float.MAX_VALUE).div(WeightQuantizer.qmax(bits(layer)));
    }

    /** The quantized activation a weighted layer reads: the last quantized ReLU before it, else the input. */
    private String inputPoint(int layerIndex) {
        int best = -1;
        for (String point : activationMax.keySet()) {
            if (point.startsWith("L")) {
                int j = Integer.parseInt(point.substring(1));
                if (j < layerIndex && j > best) {
                    best = j;
                }
            }
        }
        if (best >= 0) {
            return "L" + best;
        }
        return activationMax.containsKey("input") ? "input" : null;
    }

    @Override
    public SDVariable activation(SameDiff sd, String point, SDVariable a) {
        if (!activationMax.containsKey(point)) {
            return a;
        }
        QuantSpec spec = spec();
        int qmax = spec.activationQmax();
        double scale = spec.activationScale(point);
        int zeroPoint = spec.zeroPoint(point);
        // Codes run over [0, qmax] with real 0 at zeroPoint, i.e. real values over [-zp, qmax - zp] * scale.
        // Clip outside the straight-through part so that values beyond the range get no gradient, as in
        // TensorFlow's fake_quant: the network learns to live inside the range instead of pushing past it.
        SDVariable clipped = sd.math().clipByValue(a, -zeroPoint * scale, (qmax - zeroPoint) * scale);
        SDVariable fq = sd.math().round(clipped.div(scale)).mul(scale);
        return straightThrough(sd, point + "_fq", clipped, fq);
    }

    /** {@code x + stopGradient(q - x)}: forward value q, gradient of the identity. */
    private static SDVariable straightThrough(SameDiff sd, String name, SDVariable x, SDVariable q) {
        SDVariable correction = new StopGradient(sd, q.sub(x)).outputVariable();
        // A stable name ("L3_fq", "L0_w_fq") lets calibration and debugging read the quantized tensor.
        return x.add(sd.hasVariable(name) ? sd.generateNewVarName(name, 0) : name, correction);
    }

    @Override
    public String toString() {
        return "FakeQuantHooks[w" + weightBits + (depthwiseWeightBits != weightBits ? "/dw" + depthwiseWeightBits : "")
                + "a" + activationBits + (perTensorWeights ? " per-tensor" : "") + ", points=" + activationMax.keySet()
                + "]";
    }
}
