package dev.distillery.bench.jmh;

import dev.distillery.bench.jmh.Fixtures;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.student.runtime.Kernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The integer runtime's matrix and convolution kernels on the default student's and teacher's layers (one image,
 * one thread), each beside the same loops in float ({@link FloatKernels}). Scores are multiply-accumulates per
 * second: every benchmark declares its layer's MAC count as operations per invocation, checked against the
 * architecture at setup.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class KernelBenchmark {
    static final int STEM_MACS = 112_896;          // student layer 0: 3x3 conv, 1 -> 16 channels, 28x28
    static final int DEPTHWISE_MACS = 28_224;      // student layer 3: 3x3 depthwise, 16 channels, 14x14
    static final int POINTWISE_MACS = 100_352;     // student layer 5: 1x1 conv, 16 -> 32 channels, 14x14
    static final int DENSE_MACS = 31_360;          // student layer 13: dense 3136 -> 10
    static final int TEACHER_CONV_MACS = 3_612_672; // teacher layer 3: 3x3 conv, 32 -> 64 channels, 14x14
    static final int TEACHER_DENSE_MACS = 401_408; // teacher layer 7: dense 3136 -> 128

    private Layer stem;
    private Layer depthwise;
    private Layer pointwise;
    private Layer dense;
    private Layer teacherConv;
    private Layer teacherDense;

    /** One layer's integer kernel and its float transcription, with inputs and outputs of both kinds. */
    static final class Layer {
        final Kernels.Kernel integer;
        final FloatKernels.Conv conv;
        final float[] denseWeights;
        final float[] floatBias;
        final int[] in;
        final int[] acc;
        final float[] fin;
        final float[] fout;

        Layer(LayerInfo info, long expectedMacs, long seed) {
            if (info.macs() != expectedMacs) {
                throw new IllegalStateException("layer " + info.index() + " (" + info.spec() + ") has " + info.macs()
                        + " MACs, the benchmark declares " + expectedMacs);
            }
            SplittableRandom r = new SplittableRandom(seed);
            int n = (int) info.weightCount();
            byte[] codes = new byte[n];
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                codes[i] = (byte) (r.nextInt(255) - 127);
                w[i] = codes[i] / 127f;
            }
            int[] bias = new int[(int) info.biasCount()];
            floatBias = new float[bias.length];
            for (int i = 0; i < bias.length; i++) {
                bias[i] = r.nextInt(2001) - 1000;
                floatBias[i] = bias[i] / 1000f;
            }
            integer = Kernels.of(info, codes, bias);
            in = new int[(int) info.input().elements()];
            fin = new float[in.length];
            for (int i = 0; i < in.length; i++) {
                in[i] = r.nextInt(256);
                fin[i] = in[i] / 255f;
            }
            acc = new int[integer.outputSize()];
            fout = new float[acc.length];
            if (info.spec() instanceof dev.distillery.core.model.LayerSpec.Dense) {
                conv = null;
                // the float transcription reads [units, in] like the integer kernel after its re-layout
                int inputs = info.input().channels();
                int units = info.output().channels();
                denseWeights = new float[n];
                for (int i = 0; i < inputs; i++) {
                    for (int u = 0; u < units; u++) {
                        denseWeights[u * inputs + i] = w[i * units + u];
                    }
                }
            } else {
                conv = new FloatKernels.Conv(info, w, floatBias);
                denseWeights = null;
            }
        }

        int[] runInt() {
            integer.accumulate(in, acc);
            return acc;
        }

        float[] runFloat() {
            if (conv != null) {
                conv.accumulate(fin, fout);
            } else {
                FloatKernels.dense(fin, denseWeights, floatBias, fout);
            }
            return fout;
        }
    }

    @Setup
    public void setUp() {
        Architecture student = Fixtures.student();
        Architecture teacher = Fixtures.teacher();
        stem = new Layer(student.layerInfos().get(0), STEM_MACS, 1);
        depthwise = new Layer(student.layerInfos().get(3), DEPTHWISE_MACS, 2);
        pointwise = new Layer(student.layerInfos().get(5), POINTWISE_MACS, 3);
        dense = new Layer(student.layerInfos().get(13), DENSE_MACS, 4);
        teacherConv = new Layer(teacher.layerInfos().get(3), TEACHER_CONV_MACS, 5);
        teacherDense = new Layer(teacher.layerInfos().get(7), TEACHER_DENSE_MACS, 6);
    }

    @Benchmark
    @OperationsPerInvocation(STEM_MACS)
    public int[] int8StemConv() {
        return stem.runInt();
    }

    @Benchmark
    @OperationsPerInvocation(STEM_MACS)
    public float[] floatStemConv() {
        return stem.runFloat();
    }

    @Benchmark
    @OperationsPerInvocation(DEPTHWISE_MACS)
    public int[] int8Depthwise() {
        return depthwise.runInt();
    }

    @Benchmark
    @OperationsPerInvocation(DEPTHWISE_MACS)
    public float[] floatDepthwise() {
        return depthwise.runFloat();
    }

    @Benchmark
    @OperationsPerInvocation(POINTWISE_MACS)
    public int[] int8Pointwise() {
        return pointwise.runInt();
    }

    @Benchmark
    @OperationsPerInvocation(POINTWISE_MACS)
    public float[] floatPointwise() {
        return pointwise.runFloat();
    }

    @Benchmark
    @OperationsPerInvocation(DENSE_MACS)
    public int[] int8Dense() {
        return dense.runInt();
    }

    @Benchmark
    @OperationsPerInvocation(DENSE_MACS)
    public float[] floatDense() {
        return dense.runFloat();
    }

    @Benchmark
    @OperationsPerInvocation(TEACHER_CONV_MACS)
    public int[] int8TeacherConv() {
        return teacherConv.runInt();
    }

    @Benchmark
    @OperationsPerInvocation(TEACHER_CONV_MACS)
    public float[] floatTeacherConv() {
        return teacherConv.runFloat();
    }

    @Benchmark
    @OperationsPerInvocation(TEACHER_DENSE_MACS)
    public int[] int8TeacherDense() {
        return teacherDense.runInt();
    }

    @Benchmark
    @OperationsPerInvocation(TEACHER_DENSE_MACS)
    public float[] floatTeacherDense() {
        return teacherDense.runFloat();
    }
}
