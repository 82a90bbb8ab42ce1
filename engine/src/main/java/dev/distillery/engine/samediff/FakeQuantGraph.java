package dev.distillery.engine.samediff;

import dev.distillery.core.engine.FakeQuantHooks;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.QuantSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

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
        return straightThrough(sd, layer.weightName() + "_fq", w, seen -> {
            SDVariable scale = scale(sd, layer, seen, true);
            return sd.math().clipByValue(sd.math().round(seen.div(scale)), -qmax, qmax).mul(scale);
        });
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
        SDVariable accScale = scale(sd, layer, Bitcast.opaque(sd, w), false).mul(spec.activationScale(point));
        return straightThrough(sd, layer.biasName() + "_fq", b, seen -> sd.math().round(seen.div(accScale)).mul(accScale));
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
        return straightThrough(sd, point + "_fq", clipped, seen -> sd.math().round(seen.div(scale)).mul(scale));
    }

    /**
     * The straight-through estimator {@code x + (q - x)} with {@code q = quantize(x)}: forward value q, gradient of
     * the identity. The correction {@code q - x} is computed from a copy of x that autodiff cannot trace
     * ({@link Bitcast#opaque}), so the backward pass has no op for the quantization at all. (Written as
     * {@code x + stopGradient(q - x)}, the engine still differentiated the whole quantization branch and the stop,
     * with zeros: 34 zero tensors, their casts and 18 subtraction gradients per student step.) The forward value is
     * the same, bit for bit, as that form's.
     */
    private static SDVariable straightThrough(SameDiff sd, String name, SDVariable x,
                                              java.util.function.UnaryOperator<SDVariable> quantize) {
        SDVariable seen = Bitcast.opaque(sd, x);
        SDVariable correction = quantize.apply(seen).sub(seen);
        // A stable name ("L3_fq", "L0_w_fq") lets calibration and debugging read the quantized tensor.
        return x.add(sd.hasVariable(name) ? sd.generateNewVarName(name, 0) : name, correction);
    }
}
