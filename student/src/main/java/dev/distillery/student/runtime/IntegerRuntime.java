package dev.distillery.student.runtime;

import dev.distillery.core.error.DataContractException;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.student.quant.FixedPoint;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.quant.WeightQuantizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Integer-only reference inference for an {@link IntegerModel}: the input is quantized once to unsigned codes
 * with a zero point,
 * every layer then runs on int32 accumulators and fixed-point requantization, exactly as an int8 device would,
 * and only the final layer's accumulator is scaled back to float logits.
 *
 * <p>Instances are immutable and thread-safe; each call uses its own scratch buffers.
 */
public final class IntegerRuntime {
    private final IntegerModel model;
    private final List<Step> steps = new ArrayList<>();
    private final int bufferSize;
    private final float inputScale;
    private final int inputZeroPoint;
    private final int activationQmax;

    private sealed interface Step permits Weighted, Pool, FloatRelu {
    }

    /** {@code accScale} is only used by the final layer: the real value of one accumulator unit per channel. */
    private record Weighted(Kernels.Kernel kernel, IntegerLayer layer, double[] accScale) implements Step {
    }

    private record Pool(int channels, int height, int width, int size) implements Step {
    }

    private record FloatRelu() implements Step {
    }

    public IntegerRuntime(IntegerModel model) {
        this.model = model;
        this.inputScale = (float) model.inputScale();
        this.inputZeroPoint = model.inputZeroPoint();
        this.activationQmax = model.activationQmax();
        int size = model.architecture().inputSize();
        boolean finalDone = false;
        for (LayerInfo info : model.architecture().layerInfos()) {
            LayerSpec spec = info.spec();
            if (spec.hasWeights()) {
                IntegerLayer layer = model.layer(info.index());
                double[] accScale = new double[layer.channels()];
                for (int c = 0; c < accScale.length; c++) {
                    accScale[c] = layer.inputScale() * layer.weightScale()[c];
                }
                steps.add(new Weighted(Kernels.of(info, layer.weights(), layer.bias()), layer, accScale));
                finalDone = !layer.requantized();
            } else if (spec instanceof LayerSpec.MaxPool pool) {
                if (finalDone) {
                    throw new IllegalArgumentException("max_pool after the final weighted layer is not supported");
                }
                steps.add(new Pool(info.input().channels(), info.input().height(), info.input().width(), pool.size()));
            } else if (spec instanceof LayerSpec.Relu && finalDone) {
                steps.add(new FloatRelu());
            }
            // A relu before the final layer is the clamp of the requantization; flatten is free in NCHW order.
            size = Math.max(size, (int) info.output().elements());
        }
        this.bufferSize = size;
    }

    public IntegerModel model() {
        return model;
    }

    /** Logits of one flattened input with values in [0, 1]. */
    public float[] logits(float[] input) {
        return run(input, new int[bufferSize], new int[bufferSize]);
    }

    /** Logits of a batch, one row per input. */
    public float[][] logits(float[][] batch) {
        int[] a = new int[bufferSize];
        int[] b = new int[bufferSize];
        float[][] out = new float[batch.length][];
        for (int i = 0; i < batch.length; i++) {
            out[i] = run(batch[i], a, b);
        }
        return out;
    }

    /** Index of the largest logit. */
    public int predict(float[] input) {
        float[] logits = logits(input);
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Codes as the fake-quantized graph computes them: round(x / s) + zp in float32, clamped to [0, qmax]. The
     * buffers hold codes minus their zero point, so that SAME padding (real 0) is an integer 0 and every kernel
     * multiplies zero-centred codes, the input offset a device adds to each tap folded in once.
     */
    private void quantize(float[] input, int[] codes) {
        for (int i = 0; i < input.length; i++) {
            int q = (int) WeightQuantizer.roundHalfAway(input[i] / inputScale) + inputZeroPoint;
            codes[i] = Math.max(0, Math.min(q, activationQmax)) - inputZeroPoint;
        }
    }

    private float[] run(float[] input, int[] cur, int[] next) {
        if (input.length != model.architecture().inputSize()) {
            throw new DataContractException("integer model " + model.architecture().name() + " expects "
                    + model.architecture().inputSize() + " input values, got " + input.length);
        }
        quantize(input, cur);
        float[] logits = null;
        for (Step step : steps) {
            if (step instanceof Weighted w) {
                w.kernel().accumulate(cur, next);
                if (w.layer().requantized()) {
                    requantize(next, w.layer(), w.kernel().positions());
                    int[] t = cur;
                    cur = next;
                    next = t;
                } else {
                    logits = dequantize(next, w.accScale(), w.kernel());
                }
            } else if (step instanceof Pool p) {
                Kernels.maxPool(cur, next, p.channels(), p.height(), p.width(), p.size());
                int[] t = cur;
                cur = next;
                next = t;
            } else if (step instanceof FloatRelu) {
                for (int i = 0; i < logits.length; i++) {
                    logits[i] = Math.max(logits[i], 0f);
                }
            }
        }
        return logits;
    }

    private void requantize(int[] acc, IntegerLayer layer, int positions) {
        int[] multiplier = layer.multiplier();
        int[] shift = layer.shift();
        // code = clamp(zp + round(acc * M), zp, qmax): the lower clamp at real 0 is the fused ReLU; stored minus zp.
        int zp = layer.outputZeroPoint();
        int top = activationQmax - zp;
        for (int c = 0; c < multiplier.length; c++) {
            int m = multiplier[c];
            int s = shift[c];
            int end = (c + 1) * positions;
            for (int i = c * positions; i < end; i++) {
                acc[i] = FixedPoint.requantize(acc[i], m, s, top);
            }
        }
    }

    private static float[] dequantize(int[] acc, double[] accScale, Kernels.Kernel kernel) {
        int positions = kernel.positions();
        float[] out = new float[kernel.outputSize()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (acc[i] * accScale[i / positions]);
        }
        return out;
    }
}
