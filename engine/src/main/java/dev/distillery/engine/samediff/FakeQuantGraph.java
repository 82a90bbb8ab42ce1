package dev.distillery.engine.samediff;

import dev.distillery.core.engine.FakeQuantHooks;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.QuantSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * {@link FakeQuantHooks} as SameDiff graph code: quantize-dequantize of weights, biases and activations with a
 * straight-through estimator, computing what the integer converter's arithmetic computes.
 */
final class FakeQuantGraph implements SameDiffHooks {
    private final FakeQuantHooks hooks;
    private final QuantSpec spec;

    FakeQuantGraph(FakeQuantHooks hooks) {
        this.hooks = hooks;
        this.spec = hooks.spec();
    }

    @Override
    public SDVariable weight(SameDiff sd, LayerInfo layer, SDVariable w) {
        double qmax = QuantSpec.weightQmax(hooks.bits(layer));
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
        String point = hooks.inputPoint(layer.index());
        if (point == null) {
            return b;
        }
        // w arrives fake-quantized, so its largest magnitude per channel is exactly qmax codes.
        SDVariable accScale = scale(sd, layer, w, false).mul(spec.activationScale(point));
        SDVariable fq = sd.math().round(b.div(accScale)).mul(accScale);
        return straightThrough(sd, layer.biasName() + "_fq", b, fq);
    }

    /** Per-output-channel (or per-tensor) weight scale, max(max|w|, 1e-8) / qmax, as the integer converter's. */
    private SDVariable scale(SameDiff sd, LayerInfo layer, SDVariable w, boolean keepDims) {
        int rank = layer.weightShape().length;
        int axis = layer.spec() instanceof LayerSpec.DepthwiseConv2d ? 2 : rank - 1;
        SDVariable maxAbs;
        if (hooks.perTensorWeights()) {
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
        return sd.math().clipByValue(maxAbs, QuantSpec.WEIGHT_MIN_RANGE, Float.MAX_VALUE)
                .div(QuantSpec.weightQmax(hooks.bits(layer)));
    }

    @Override
    public boolean rewritesActivation(String point) {
        return hooks.quantizes(point);
    }

    @Override
    public SDVariable activation(SameDiff sd, String point, SDVariable a) {
        if (!hooks.quantizes(point)) {
            return a;
        }
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
}
