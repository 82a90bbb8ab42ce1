package dev.distillery.engine.samediff;

import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the SameDiff graph of an {@link Architecture}: placeholder "input" [n, C*H*W], output "logits". Batch
 * norms normalise with each minibatch's own statistics in a training graph and with the stored population
 * statistics in an inference graph.
 */
public final class GraphBuilder {
    public static final String INPUT = "input";
    public static final String LOGITS = Network.LOGITS;

    private GraphBuilder() {
    }

    /** Name of the variable holding layer {@code index}'s output (the last layer's is {@link #LOGITS}). */
    public static String outputName(int index) {
        return Network.outputName(index);
    }

    /** The inference graph: batch norms use the population statistics stored in {@code params}. */
    public static SameDiff build(Architecture arch, Map<String, float[]> params, GraphHooks hooks) {
        return build(arch, params, hooks, false);
    }

    /**
     * The graph with batch norms normalising by the batch's own mean and variance when {@code batchStatistics}
     * (training), else by the stored population statistics (inference).
     */
    public static SameDiff build(Architecture arch, Map<String, float[]> params, GraphHooks hooks,
                                 boolean batchStatistics) {
        return build(arch, params, hooks, batchStatistics, null);
    }

    /**
     * A training graph: batch statistics, and every ReLU that a 2x2 max pool follows computed after that pool
     * instead, unless its output is read by name ({@code readLayers}, e.g. a hint loss's student layer), rewritten
     * by the hooks (fake quantization) or read by a residual add. Max pooling and ReLU commute exactly, in value and
     * in gradient (ReLU keeps the order of positive values and maps a window of non-positive ones to a zero gradient
     * either way), so the trained weights are bit-identical; the engine's ReLU gradient costs per element, and after
     * the pool it sees a quarter of them (a teacher step: 10.9 ms of ReLU gradient before, docs/benchmarks-notes.md).
     * The pool's output keeps its name; the ReLU's own output name does not exist in such a graph.
     */
    public static SameDiff buildForTraining(Architecture arch, Map<String, float[]> params, GraphHooks hooks,
                                            Set<Integer> readLayers) {
        return build(arch, params, hooks, true, readLayers);
    }

    /** Layers whose ReLU {@link #buildForTraining} moves after the following max pool. */
    static Set<Integer> poolFirst(Architecture arch, SameDiffHooks rewrite, Set<Integer> readLayers) {
        Set<Integer> moved = new TreeSet<>();
        Set<Integer> residual = arch.residualSources();
        var infos = arch.layerInfos();
        for (int i = 0; i + 1 < infos.size() - 1; i++) {
            if (infos.get(i).spec() instanceof LayerSpec.Relu && infos.get(i + 1).spec() instanceof LayerSpec.MaxPool
                    && !readLayers.contains(i) && !residual.contains(i) && !rewrite.rewritesActivation("L" + i)) {
                moved.add(i);
            }
        }
        return moved;
    }

    private static SameDiff build(Architecture arch, Map<String, float[]> params, GraphHooks hooks,
                                  boolean batchStatistics, Set<Integer> readLayers) {
        SameDiffHooks rewrite = SameDiffHooks.of(hooks);
        boolean training = readLayers != null;
        Set<Integer> poolFirst = training ? poolFirst(arch, rewrite, readLayers) : Set.of();
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder(INPUT, DataType.FLOAT, -1, arch.inputSize());
        x = rewrite.activation(sd, "input", x);
        if (arch.spatial()) {
            x = sd.reshape(x, -1, arch.channels(), arch.height(), arch.width());
        }
        var infos = arch.layerInfos();
        // outputs[j + 1] holds layer j's output and outputs[0] the input, for residual adds
        SDVariable[] outputs = new SDVariable[infos.size() + 1];
        outputs[0] = x;
        for (int i = 0; i < infos.size(); i++) {
            LayerInfo info = infos.get(i);
            boolean last = i == infos.size() - 1;
            SDVariable w = null;
            SDVariable b = null;
            if (info.spec().hasWeights()) {
                w = sd.var(info.weightName(), Nd4j.create(params.get(info.weightName()), toLong(info.weightShape()), 'c'));
                b = sd.var(info.biasName(), Nd4j.create(params.get(info.biasName()), new long[]{info.biasCount()}, 'c'));
                w = rewrite.weight(sd, info, w);
                b = rewrite.bias(sd, info, b, w);
            }
            String name = last ? LOGITS : outputName(i);
            if (poolFirst.contains(i)) {
                LayerInfo pool = infos.get(i + 1);
                SDVariable pooled = layer(sd, outputName(i + 1) + "_before_relu", x, pool, null, null, arch,
                        outputs, training);
                x = relu(sd, outputName(i + 1), pooled, training);
                i++;
                outputs[i + 1] = x;
                continue;
            }
            if (info.spec() instanceof LayerSpec.Dropout d) {
                x = batchStatistics && d.rate() > 0 ? dropout(sd, name, x, 1 - d.rate()) : sd.identity(name, x);
                outputs[i + 1] = x;
                continue;
            }
            x = info.spec() instanceof LayerSpec.BatchNorm bn
                    ? batchNorm(sd, info, x, params, batchStatistics, bn.epsilon(), name)
                    : layer(sd, name, x, info, w, b, arch, outputs, training);
            if (info.spec() instanceof LayerSpec.Relu) {
                x = rewrite.activation(sd, "L" + i, x);
            }
            outputs[i + 1] = x;
        }
        if (!LOGITS.equals(x.name())) {
            x = sd.identity(LOGITS, x);
        }
        return sd;
    }

    /**
     * Inverted dropout in a training graph: a fresh Bernoulli mask of the input's (dynamic) shape keeps each value
     * with probability {@code keep} and scales the kept ones by 1 / keep, so inference graphs pass values through.
     * (The engine's own dropout ops have no gradient in this version.) The mask comes from the engine's random
     * generator, so a teacher with dropout does not train to the same weights twice.
     */
    private static SDVariable dropout(SameDiff sd, String name, SDVariable x, double keep) {
        SDVariable mask = new org.nd4j.linalg.api.ops.random.custom.RandomBernoulli(sd, sd.shape(x), keep)
                .outputVariable().castTo(DataType.FLOAT);
        return x.mul(mask).div(name, keep);
    }

    /** Name of the batch mean a training graph computes for batch norm layer {@code info}, shaped [1, C(, 1, 1)]. */
    public static String batchMeanName(LayerInfo info) {
        return "L" + info.index() + "_batch_mean";
    }

    /** Name of the (biased) batch variance a training graph computes for batch norm layer {@code info}. */
    public static String batchVarianceName(LayerInfo info) {
        return "L" + info.index() + "_batch_var";
    }

    private static SDVariable batchNorm(SameDiff sd, LayerInfo info, SDVariable x, Map<String, float[]> params,
                                        boolean batchStatistics, double epsilon, String name) {
        int c = info.output().channels();
        boolean flat = info.output().flat();
        long[] shape = flat ? new long[]{1, c} : new long[]{1, c, 1, 1};
        int[] axes = flat ? new int[]{0} : new int[]{0, 2, 3};
        SDVariable gamma = sd.reshape(sd.var(info.gammaName(), Nd4j.create(params.get(info.gammaName()),
                new long[]{c}, 'c')), shape);
        SDVariable beta = sd.reshape(sd.var(info.betaName(), Nd4j.create(params.get(info.betaName()),
                new long[]{c}, 'c')), shape);
        SDVariable centred;
        SDVariable variance;
        if (batchStatistics) {
            SDVariable mean = sd.mean(batchMeanName(info), x, true, axes);
            centred = x.sub(mean);
            variance = sd.mean(batchVarianceName(info), centred.mul(centred), true, axes);
        } else {
            centred = x.sub(sd.constant(info.meanName(), Nd4j.create(params.get(info.meanName()), shape, 'c')));
            variance = sd.constant(info.varianceName(), Nd4j.create(params.get(info.varianceName()), shape, 'c'));
        }
        SDVariable normalised = centred.div(sd.math().sqrt(variance.add(epsilon)));
        return normalised.mul(gamma).add(name, beta);
    }

    /**
     * Adds layers 0 to {@code lastLayer} of {@code arch} to an existing graph as a frozen copy: fed by the graph's
     * "input" placeholder, weights and biases as constants (no gradient, no optimizer state), every name prefixed
     * with {@code prefix}. Returns the output of {@code lastLayer}; {@code params} needs only those layers' tensors.
     */
    public static SDVariable frozenPrefix(SameDiff sd, Architecture arch, Map<String, float[]> params, int lastLayer,
                                          String prefix) {
        var infos = arch.layerInfos();
        if (lastLayer < 0 || lastLayer >= infos.size()) {
            throw new IllegalArgumentException(arch.name() + " has no layer " + lastLayer);
        }
        SDVariable x = sd.getVariable(INPUT);
        if (arch.spatial()) {
            x = sd.reshape(x, -1, arch.channels(), arch.height(), arch.width());
        }
        SDVariable[] outputs = new SDVariable[lastLayer + 2];
        outputs[0] = x;
        for (int i = 0; i <= lastLayer; i++) {
            LayerInfo info = infos.get(i);
            SDVariable w = null;
            SDVariable b = null;
            if (info.spec().hasWeights()) {
                w = sd.constant(prefix + info.weightName(),
                        Nd4j.create(params.get(info.weightName()), toLong(info.weightShape()), 'c'));
                b = sd.constant(prefix + info.biasName(),
                        Nd4j.create(params.get(info.biasName()), new long[]{info.biasCount()}, 'c'));
            }
            x = layer(sd, prefix + outputName(i), x, info, w, b, arch, outputs, false);
            outputs[i + 1] = x;
        }
        return x;
    }

    /**
     * One layer's output; {@code outputs[j + 1]} is layer j's output (and {@code outputs[0]} the input), and
     * {@code training} says the graph will be differentiated ({@link #relu}).
     */
    private static SDVariable layer(SameDiff sd, String name, SDVariable x, LayerInfo info, SDVariable w,
                                    SDVariable b, Architecture arch, SDVariable[] outputs, boolean training) {
        LayerSpec spec = info.spec();
        if (spec instanceof LayerSpec.Add add) {
            SDVariable shortcut = outputs[add.from() + 1];
            if (add.projection()) {
                int stride = Architecture.projectionStride(arch.outputOf(add.from()), info.input(), info.index(), add);
                shortcut = sd.cnn().conv2d(name + "_projection", shortcut, w, b, convConfig(1, stride));
            }
            return x.add(name, shortcut);
        }
        if (spec instanceof LayerSpec.Conv2d conv) {
            return sd.cnn().conv2d(name, x, w, b, convConfig(conv.kernel(), conv.stride(), conv.pad()));
        } else if (spec instanceof LayerSpec.DepthwiseConv2d dw) {
            return sd.cnn().depthWiseConv2d(name, x, w, b, convConfig(dw.kernel(), dw.stride(), dw.pad()));
        } else if (spec instanceof LayerSpec.Dense) {
            if (training) {
                return dense(sd, name, x, w, b);
            }
            return sd.nn().linear(name, x, w, b);
        } else if (spec instanceof LayerSpec.MaxPool pool) {
            return sd.cnn().maxPooling2d(name, x, Pooling2DConfig.builder()
                    .kH(pool.size()).kW(pool.size()).sH(pool.size()).sW(pool.size())
                    .paddingMode(PaddingMode.VALID).isNHWC(false).build());
        } else if (spec instanceof LayerSpec.Relu) {
            return relu(sd, name, x, training);
        } else if (spec instanceof LayerSpec.AvgPool pool) {
            return sd.cnn().avgPooling2d(name, x, Pooling2DConfig.builder()
                    .kH(pool.size()).kW(pool.size()).sH(pool.size()).sW(pool.size())
                    .paddingMode(PaddingMode.VALID).isNHWC(false).build());
        } else if (spec instanceof LayerSpec.GlobalAvgPool) {
            // an average pool over the whole map (the engine's mean over axes 2 and 3 passed no gradient here)
            return sd.cnn().avgPooling2d(name, x, Pooling2DConfig.builder()
                    .kH(info.input().height()).kW(info.input().width())
                    .sH(info.input().height()).sW(info.input().width())
                    .paddingMode(PaddingMode.VALID).isNHWC(false).build());
        } else if (spec instanceof LayerSpec.Relu6) {
            return sd.nn().relu6(name, x, 0.0);
        } else if (spec instanceof LayerSpec.Dropout) {
            return sd.identity(name, x);
        } else if (spec instanceof LayerSpec.Flatten) {
            return sd.reshape(name, x, -1, info.output().channels());
        }
        throw new IllegalArgumentException("no graph for layer " + info.index() + " (" + spec + ")");
    }

    /** A SAME-padded NCHW convolution with weights laid out [kH, kW, in, out], as every graph here uses. */
    public static Conv2DConfig convConfig(int kernel, int stride) {
        return convConfig(kernel, stride, null);
    }

    /** An NCHW convolution padded SAME, or by {@code pad} zeros on every side when it is given. */
    static Conv2DConfig convConfig(int kernel, int stride, Integer pad) {
        var config = Conv2DConfig.builder().kH(kernel).kW(kernel).sH(stride).sW(stride).dataFormat("NCHW");
        return pad == null ? config.paddingMode(PaddingMode.SAME).build()
                : config.paddingMode(PaddingMode.VALID).pH(pad).pW(pad).build();
    }

    static long[] toLong(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            s[i] = shape[i];
        }
        return s;
    }

    /**
     * A training graph's dense layer as a matmul and a broadcast add. The engine's fused {@code xw_plus_b} runs as a
     * oneDNN inner product that reorders the whole weight matrix on every call (the default student's 3136x10
     * layer: about 1 ms of reorder for 0.08 ms of product), and its gradient adds two matmuls and a sum; as matmul
     * and add the layer's forward and backward take about 0.4 ms of a student step against 1.6-1.8
     * (docs/benchmarks-notes.md). The sums run in another order, so the weights a run trains are not bit-identical
     * to the fused op's. Inference graphs keep it ({@code DenseAsMatmulTest} checks that both give the same outputs).
     */
    static SDVariable dense(SameDiff sd, String name, SDVariable x, SDVariable w, SDVariable b) {
        return x.mmul(w).add(name, b);
    }

    /**
     * ReLU. A graph that will be differentiated computes it as {@code x * (x > 0)}: the same values and, at every
     * point including 0, the same gradient (the trained weights are bit-identical), and the engine's element-wise
     * multiply gradient is cheaper than its ReLU gradient (one thread, batch 64: student step 22.6-23.4 ms against
     * 21.0-21.5, docs/benchmarks-notes.md). Inference graphs keep the single ReLU op, which is faster forward.
     */
    static SDVariable relu(SameDiff sd, String name, SDVariable x, boolean training) {
        if (!training) {
            return sd.nn().relu(name, x, 0.0);
        }
        return x.mul(name, x.gt(0.0).castTo(DataType.FLOAT));
    }
}
