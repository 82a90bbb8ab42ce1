package dev.distillery.student.prune;

import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Structured pruning that physically shrinks the network: in every convolution and hidden dense layer (never
 * the classifier) the {@code round(fraction * filters)} filters with the smallest L1 norm are removed, together
 * with their bias, the depthwise channels they feed and the input slices of the next weighted layer. The result
 * is a smaller {@link Architecture}: fewer parameters, fewer MACs, a smaller model file.
 */
public final class ChannelPruning {
    private ChannelPruning() {
    }

    /** What pruning would keep, per prunable layer index: the surviving filter count. Throws on an impossible plan. */
    public static Map<Integer, Integer> plan(Architecture arch, double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new InvalidConfigException("prune.channel_fraction must be in [0, 1), was " + fraction);
        }
        dev.distillery.core.model.BatchNormFolding.requireFolded(arch, "channel pruning");
        Map<Integer, Integer> keep = new LinkedHashMap<>();
        int classifier = lastWeighted(arch);
        for (LayerInfo info : arch.layerInfos()) {
            boolean prunable = info.spec() instanceof LayerSpec.Conv2d || info.spec() instanceof LayerSpec.Dense;
            if (!prunable || info.index() == classifier) {
                continue;
            }
            int filters = info.outChannels();
            int kept = filters - (int) Math.round(fraction * filters);
            if (kept < 1) {
                throw new InvalidConfigException("prune.channel_fraction " + fraction + " would remove every filter of "
                        + "layer " + info.index() + " (" + describe(info.spec()) + ", " + filters + " filters); at least "
                        + "one must stay, so use a fraction below " + (filters - 0.5) / filters);
            }
            keep.put(info.index(), kept);
        }
        return keep;
    }

    /** The architecture {@link #prune} produces, without touching any weights. */
    public static Architecture prunedArchitecture(Architecture arch, double fraction) {
        Map<Integer, Integer> keep = plan(arch, fraction);
        List<LayerSpec> layers = new ArrayList<>();
        for (LayerInfo info : arch.layerInfos()) {
            layers.add(resized(info.spec(), keep.get(info.index())));
        }
        return arch.withLayers(arch.name() + "-ch" + Math.round(100 * (1 - fraction)), layers);
    }

    /** Removes the weakest filters of every hidden layer and returns the smaller model (same kind and metadata). */
    public static ModelArtifact prune(ModelArtifact model, double fraction) {
        Architecture arch = model.architecture();
        Map<Integer, Integer> keep = plan(arch, fraction);
        Map<String, float[]> out = new LinkedHashMap<>();
        List<LayerSpec> layers = new ArrayList<>();
        int[] live = IntStream.range(0, arch.channels()).toArray(); // surviving channels (or flat elements) of the input
        for (LayerInfo info : arch.layerInfos()) {
            LayerSpec spec = info.spec();
            float[] w = info.spec().hasWeights() ? model.params().get(info.weightName()) : null;
            float[] b = info.spec().hasWeights() ? model.params().get(info.biasName()) : null;
            int[] ws = info.weightShape();
            if (spec instanceof LayerSpec.Conv2d) {
                int k2 = ws[0] * ws[1];
                int in = ws[2];
                int filters = ws[3];
                int[] kept = keep.containsKey(info.index())
                        ? strongest(k2, live, filters, keep.get(info.index()), (p, ci, co) -> w[(p * in + ci) * filters + co])
                        : IntStream.range(0, filters).toArray();
                float[] nw = new float[k2 * live.length * kept.length];
                for (int p = 0; p < k2; p++) {
                    for (int i = 0; i < live.length; i++) {
                        for (int o = 0; o < kept.length; o++) {
                            nw[(p * live.length + i) * kept.length + o] = w[(p * in + live[i]) * filters + kept[o]];
                        }
                    }
                }
                put(out, info, nw, select(b, kept));
                live = kept;
            } else if (spec instanceof LayerSpec.DepthwiseConv2d) {
                int k2 = ws[0] * ws[1];
                int channels = ws[2];
                float[] nw = new float[k2 * live.length];
                for (int p = 0; p < k2; p++) {
                    for (int i = 0; i < live.length; i++) {
                        nw[p * live.length + i] = w[p * channels + live[i]];
                    }
                }
                put(out, info, nw, select(b, live));
            } else if (spec instanceof LayerSpec.Flatten) {
                int hw = info.input().height() * info.input().width();
                int[] channels = live;
                live = Arrays.stream(channels).flatMap(c -> IntStream.range(c * hw, c * hw + hw)).toArray();
            } else if (spec instanceof LayerSpec.Dense) {
                int units = ws[1];
                int[] kept = keep.containsKey(info.index())
                        ? strongest(1, live, units, keep.get(info.index()), (p, i, u) -> w[i * units + u])
                        : IntStream.range(0, units).toArray();
                float[] nw = new float[live.length * kept.length];
                for (int i = 0; i < live.length; i++) {
                    for (int o = 0; o < kept.length; o++) {
                        nw[i * kept.length + o] = w[live[i] * units + kept[o]];
                    }
                }
                put(out, info, nw, select(b, kept));
                live = kept;
            }
            layers.add(resized(spec, keep.get(info.index())));
        }
        Architecture smaller = arch.withLayers(arch.name() + "-ch" + Math.round(100 * (1 - fraction)), layers);
        return new ModelArtifact(model.kind(), smaller, out, model.metadata(), null);
    }

    private interface WeightAt {
        float get(int position, int input, int output);
    }

    /** Indices (ascending) of the {@code count} outputs with the largest L1 norm over the live inputs. */
    private static int[] strongest(int positions, int[] live, int outputs, int count, WeightAt w) {
        double[] norm = new double[outputs];
        for (int o = 0; o < outputs; o++) {
            for (int p = 0; p < positions; p++) {
                for (int i : live) {
                    norm[o] += Math.abs(w.get(p, i, o));
                }
            }
        }
        return IntStream.range(0, outputs).boxed()
                .sorted(Comparator.comparingDouble((Integer o) -> -norm[o]).thenComparingInt(o -> o))
                .limit(count).mapToInt(Integer::intValue).sorted().toArray();
    }

    private static float[] select(float[] v, int[] idx) {
        float[] out = new float[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = v[idx[i]];
        }
        return out;
    }

    private static void put(Map<String, float[]> out, LayerInfo info, float[] w, float[] b) {
        out.put(info.weightName(), w);
        out.put(info.biasName(), b);
    }

    private static LayerSpec resized(LayerSpec spec, Integer kept) {
        if (kept == null) {
            return spec;
        }
        if (spec instanceof LayerSpec.Conv2d c) {
            return new LayerSpec.Conv2d(kept, c.kernel(), c.stride());
        }
        return new LayerSpec.Dense(kept);
    }

    private static int lastWeighted(Architecture arch) {
        int last = -1;
        for (LayerInfo info : arch.layerInfos()) {
            if (info.spec().hasWeights()) {
                last = info.index();
            }
        }
        return last;
    }

    private static String describe(LayerSpec spec) {
        return spec instanceof LayerSpec.Conv2d ? "conv2d" : "dense";
    }
}
