package dev.distillery.student.runtime;

import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.quant.WeightQuantizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The integer model run as XNNPACK runs its full-integer TFLite export: the same int32 accumulators as
 * {@link IntegerRuntime}, but each layer requantized through float32 as XNNPACK's fp32 requantization does it, with
 * the scale {@code input_scale * weight_scale[c] / output_scale} computed in float32 from the float32 scales of the
 * file, the accumulator converted to float32, one float32 multiply, and rounding half to even. The final layer is
 * requantized the same way to the export's output codes, returned as uint8.
 */
public final class FloatRequantizingRuntime {
    private record Step(Kernels.Kernel kernel, float[] scale, int zeroPoint, int lowest, boolean last) {
    }

    private final IntegerModel model;
    private final List<Object> steps = new ArrayList<>();
    private final int bufferSize;

    /**
     * @param outputScale     float32 scale of the exported output
     * @param outputZeroPoint uint8 zero point of the exported output
     * @param outputRelu      whether the final layer clamps at its zero point (a ReLU after it)
     */
    public FloatRequantizingRuntime(IntegerModel model, float outputScale, int outputZeroPoint, boolean outputRelu) {
        this.model = model;
        int size = model.architecture().inputSize();
        for (LayerInfo info : model.architecture().layerInfos()) {
            if (info.spec().hasWeights()) {
                IntegerLayer layer = model.layer(info.index());
                boolean last = !layer.requantized();
                float in = (float) layer.inputScale();
                float out = last ? outputScale : (float) layer.outputScale();
                float[] scale = new float[layer.channels()];
                for (int c = 0; c < scale.length; c++) {
                    scale[c] = in * layer.weightScale()[c] / out;
                }
                // Codes are kept minus their zero point, as in IntegerRuntime; int8 code = uint8 code - 128.
                int zp = last ? outputZeroPoint : layer.outputZeroPoint();
                int lowest = !last || outputRelu ? 0 : -zp;
                steps.add(new Step(Kernels.of(info, layer.weights(), layer.bias()), scale, zp, lowest, last));
            } else if (info.spec() instanceof LayerSpec.MaxPool pool) {
                steps.add(info);
            }
            size = Math.max(size, (int) info.output().elements());
        }
        this.bufferSize = size;
    }

    /** The uint8 output codes of one channel-major input row with values as the integer runtime takes them. */
    public int[] outputCodes(float[] input) {
        int[] cur = new int[bufferSize];
        int[] next = new int[bufferSize];
        float inScale = (float) model.inputScale();
        int inZp = model.inputZeroPoint();
        for (int i = 0; i < input.length; i++) {
            int q = (int) WeightQuantizer.roundHalfAway(input[i] / inScale) + inZp;
            cur[i] = Math.max(0, Math.min(q, 255)) - inZp;
        }
        int[] out = null;
        for (Object o : steps) {
            if (o instanceof Step s) {
                s.kernel().accumulate(cur, next);
                int positions = s.kernel().positions();
                int top = 255 - s.zeroPoint();
                for (int i = 0; i < s.kernel().outputSize(); i++) {
                    float v = (float) next[i] * s.scale()[i / positions];
                    next[i] = (int) Math.max(s.lowest(), Math.min(top, Math.rint(v)));
                }
                if (s.last()) {
                    out = new int[s.kernel().outputSize()];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = next[i] + s.zeroPoint();
                    }
                }
                int[] t = cur;
                cur = next;
                next = t;
            } else {
                LayerInfo info = (LayerInfo) o;
                int size = ((LayerSpec.MaxPool) info.spec()).size();
                Kernels.maxPool(cur, next, info.input().channels(), info.input().height(), info.input().width(), size);
                int[] t = cur;
                cur = next;
                next = t;
            }
        }
        return out;
    }
}
