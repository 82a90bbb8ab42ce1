package dev.distillery.student.mcu;

import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.TensorLifetimes;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;

import java.util.ArrayList;
import java.util.List;

/**
 * What the generated C runs, checked before anything is written: one step per layer that writes a buffer (the
 * layers {@link TensorLifetimes} gives a buffer of their own), each buffer's place in the arena, and the zero point
 * of the codes each step reads.
 *
 * <p>Placement is two-ended: even buffers start at offset 0, odd buffers end at the arena's end. In a chain a step
 * reads only the buffer written just before its own, so the two live buffers sit at opposite ends and never
 * overlap as long as their sizes add up to at most the arena, which the planner's peak guarantees. Buffer 0 is
 * the input (the caller may pass codes elsewhere); the last buffer, the final layer's output, goes to the caller's
 * int32 accumulators instead.
 */
final class CPlan {
    /** One layer of the generated {@code invoke}: it reads buffer {@code input} and writes buffer {@code input + 1}. */
    sealed interface Step permits Weighted, Pool {
        LayerInfo info();

        int input();
    }

    /** A conv2d, depthwise conv2d or dense layer reading codes whose real 0 is {@code inZeroPoint}. */
    record Weighted(LayerInfo info, IntegerLayer layer, int input, int inZeroPoint, boolean last) implements Step {
    }

    /** A max pool. */
    record Pool(LayerInfo info, int input) implements Step {
    }

    private static final long INT32_LIMIT = Integer.MAX_VALUE;

    private final IntegerModel model;
    private final List<Step> steps;
    private final long[] offsets;
    private final long arenaBytes;
    private final boolean reluOnLogits;

    private CPlan(IntegerModel model, List<Step> steps, long[] offsets, long arenaBytes, boolean reluOnLogits) {
        this.model = model;
        this.steps = List.copyOf(steps);
        this.offsets = offsets;
        this.arenaBytes = arenaBytes;
        this.reluOnLogits = reluOnLogits;
    }

    /** Plans a model, refusing (naming the layer) what the C kernels cannot run exactly as the integer runtime does. */
    static CPlan of(IntegerModel model) {
        Architecture arch = model.architecture();
        List<LayerInfo> infos = arch.layerInfos();
        int lastWeighted = -1;
        for (LayerInfo info : infos) {
            if (info.spec().hasWeights()) {
                lastWeighted = info.index();
            }
        }
        List<Step> steps = new ArrayList<>();
        int buffer = 0;
        int zeroPoint = model.inputZeroPoint();
        boolean reluOnLogits = false;
        for (LayerInfo info : infos) {
            LayerSpec spec = info.spec();
            boolean afterFinal = info.index() > lastWeighted;
            if (spec instanceof LayerSpec.Conv2d || spec instanceof LayerSpec.DepthwiseConv2d
                    || spec instanceof LayerSpec.Dense) {
                IntegerLayer layer = model.layer(info.index());
                checkRequantization(info, layer);
                checkAccumulator(info, layer, zeroPoint, model.activationQmax());
                steps.add(new Weighted(info, layer, buffer++, zeroPoint, info.index() == lastWeighted));
                zeroPoint = layer.outputZeroPoint();
            } else if (spec instanceof LayerSpec.MaxPool) {
                if (afterFinal) {
                    throw new InvalidConfigException(CLayers.describe(info) + " follows the final weighted layer "
                            + lastWeighted + "; the C kernels (like the integer runtime) keep only relu and flatten "
                            + "after it, where the values are int32 accumulators");
                }
                steps.add(new Pool(info, buffer++));
            } else if (spec instanceof LayerSpec.Relu) {
                // Before the final layer a relu is the lower clamp of requantization; after it, a float relu.
                reluOnLogits |= afterFinal;
            } else if (!(spec instanceof LayerSpec.Flatten)) {
                throw new InvalidConfigException(CLayers.describe(info) + " has no C kernel; the C exporter runs "
                        + "conv2d, depthwise_conv2d, dense, max_pool, relu and flatten (fold batch norms first)");
            }
            if (info.output().elements() > INT32_LIMIT || info.weightCount() > INT32_LIMIT) {
                throw new InvalidConfigException(CLayers.describe(info) + " has " + info.output().elements()
                        + " outputs and " + info.weightCount() + " weights; the C kernels index with int32");
            }
        }
        TensorLifetimes lifetimes = TensorLifetimes.of(infos);
        List<TensorLifetimes.Buffer> buffers = lifetimes.buffers();
        if (buffers.size() != buffer + 1) {
            throw new IllegalStateException("planner has " + buffers.size() + " buffers, the C steps " + (buffer + 1));
        }
        long arena = lifetimes.peak().elements();
        if (arena > INT32_LIMIT) {
            throw new InvalidConfigException("model " + arch.name() + " needs a " + arena
                    + "-byte activation arena; the C kernels index with int32");
        }
        long[] offsets = new long[buffers.size()];
        for (int b = 0; b < offsets.length; b++) {
            offsets[b] = b % 2 == 0 ? 0 : arena - buffers.get(b).elements();
        }
        return new CPlan(model, steps, offsets, arena, reluOnLogits);
    }

    /** Shifts the C requantization takes: 31 - shift must lie in [1, 62], or be 63 and more (the result is 0). */
    private static void checkRequantization(LayerInfo info, IntegerLayer layer) {
        for (int c = 0; c < layer.shift().length; c++) {
            if (layer.shift()[c] > 30) {
                throw new InvalidConfigException(CLayers.describe(info) + " channel " + c + " has requantization shift "
                        + layer.shift()[c] + "; multipliers must be below 2 (shift at most 30)");
            }
        }
    }

    /**
     * Proves that no partial sum of the C kernels leaves int32, where C (unlike Java) has no defined wrap-around:
     * |bias| + sum|w| * (qmax + in_zp) bounds both the runtime's sum((x - zp) * w) and the kernels' form with the
     * zero point folded into the bias.
     */
    private static void checkAccumulator(LayerInfo info, IntegerLayer layer, int inZeroPoint, int qmax) {
        int channels = layer.channels();
        long[] absWeights = new long[channels];
        byte[] w = layer.weights();
        for (int i = 0; i < w.length; i++) {
            // every stored layout ([kH,kW,C,F], [kH,kW,C,1], [in,units]) has the output channel innermost
            absWeights[i % channels] += Math.abs(w[i]);
        }
        for (int c = 0; c < channels; c++) {
            long bound = Math.abs((long) layer.bias()[c]) + absWeights[c] * (qmax + inZeroPoint);
            if (bound > INT32_LIMIT) {
                throw new InvalidConfigException(CLayers.describe(info) + " channel " + c + " can accumulate up to "
                        + bound + " (bias " + layer.bias()[c] + ", sum of |weight codes| " + absWeights[c]
                        + "); the C kernels accumulate in int32 and need a bound below 2^31");
            }
        }
    }

    IntegerModel model() {
        return model;
    }

    List<Step> steps() {
        return steps;
    }

    long arenaBytes() {
        return arenaBytes;
    }

    /** Arena offset of buffer {@code b}. */
    long offset(int b) {
        return offsets[b];
    }

    boolean reluOnLogits() {
        return reluOnLogits;
    }
}
