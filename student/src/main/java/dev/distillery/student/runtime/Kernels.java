package dev.distillery.student.runtime;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;

/**
 * Integer kernels of {@link IntegerRuntime}: int32 accumulation of unsigned activation codes times signed weight
 * codes, bias included. Activations are NCHW without the batch dimension; zero point 0 makes SAME padding a
 * matter of skipping out-of-range taps.
 * <p>Public, with {@link Kernel} and {@link #of}, only so that the JMH benchmarks in their own module can time each
 * kernel on its own; everything else here stays package-private.
 */
public final class Kernels {
    private Kernels() {
    }

    /** A weighted layer's accumulation; {@code positions} is how many outputs share one channel. */
    public interface Kernel {
        void accumulate(int[] in, int[] acc);

        int outputSize();

        int positions();
    }

    /** The kernel of a conv, depthwise or dense layer with its weight codes and int32 bias. */
    public static Kernel of(LayerInfo info, byte[] codes, int[] bias) {
        LayerSpec spec = info.spec();
        if (spec instanceof LayerSpec.Conv2d conv) {
            return new Conv(info, codes, bias, conv.kernel(), conv.stride());
        }
        if (spec instanceof LayerSpec.DepthwiseConv2d dw) {
            return new Depthwise(info, codes, bias, dw.kernel(), dw.stride());
        }
        if (spec instanceof LayerSpec.Dense) {
            return new Dense(info, codes, bias);
        }
        throw new IllegalArgumentException("layer " + info.index() + " (" + spec + ") has no integer kernel");
    }

    /** Geometry shared by the two convolutions. */
    abstract static class Spatial implements Kernel {
        final int channels, height, width, filters, outH, outW, k, stride, padTop, padLeft;
        final int[] weights;
        final int[] bias;

        Spatial(LayerInfo info, int[] weights, int[] bias, int k, int stride) {
            this.channels = info.input().channels();
            this.height = info.input().height();
            this.width = info.input().width();
            this.filters = info.output().channels();
            this.outH = info.output().height();
            this.outW = info.output().width();
            this.k = k;
            this.stride = stride;
            this.padTop = Architecture.samePadBefore(height, k, stride);
            this.padLeft = Architecture.samePadBefore(width, k, stride);
            this.weights = weights;
            this.bias = bias;
        }

        @Override
        public int outputSize() {
            return filters * outH * outW;
        }

        @Override
        public int positions() {
            return outH * outW;
        }

        /** Sum over one input channel's k×k window clipped to the image; {@code w} indexes [ky][kx] at wBase. */
        final int window(int[] in, int inBase, int iy0, int ix0, int kyLo, int kyHi, int kxLo, int kxHi, int wBase) {
            int acc = 0;
            for (int ky = kyLo; ky < kyHi; ky++) {
                int row = inBase + (iy0 + ky) * width + ix0;
                int wr = wBase + ky * k;
                for (int kx = kxLo; kx < kxHi; kx++) {
                    acc += in[row + kx] * weights[wr + kx];
                }
            }
            return acc;
        }
    }

    /** Standard convolution; weights re-laid from [kH, kW, C, F] to [F, C, kH, kW] for unit-stride inner loops. */
    static final class Conv extends Spatial {
        Conv(LayerInfo info, byte[] codes, int[] bias, int k, int stride) {
            super(info, relayout(codes, k, info.input().channels(), info.output().channels()), bias, k, stride);
        }

        private static int[] relayout(byte[] codes, int k, int c, int f) {
            int[] w = new int[codes.length];
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    for (int ci = 0; ci < c; ci++) {
                        for (int fi = 0; fi < f; fi++) {
                            w[((fi * c + ci) * k + ky) * k + kx] = codes[((ky * k + kx) * c + ci) * f + fi];
                        }
                    }
                }
            }
            return w;
        }

        @Override
        public void accumulate(int[] in, int[] acc) {
            int plane = height * width;
            for (int f = 0; f < filters; f++) {
                for (int oy = 0; oy < outH; oy++) {
                    int iy0 = oy * stride - padTop;
                    int kyLo = Math.max(0, -iy0);
                    int kyHi = Math.min(k, height - iy0);
                    for (int ox = 0; ox < outW; ox++) {
                        int ix0 = ox * stride - padLeft;
                        int kxLo = Math.max(0, -ix0);
                        int kxHi = Math.min(k, width - ix0);
                        int sum = bias[f];
                        for (int c = 0; c < channels; c++) {
                            sum += window(in, c * plane, iy0, ix0, kyLo, kyHi, kxLo, kxHi, (f * channels + c) * k * k);
                        }
                        acc[(f * outH + oy) * outW + ox] = sum;
                    }
                }
            }
        }
    }

    /** Depthwise convolution (multiplier 1); weights re-laid from [kH, kW, C, 1] to [C, kH, kW]. */
    static final class Depthwise extends Spatial {
        Depthwise(LayerInfo info, byte[] codes, int[] bias, int k, int stride) {
            super(info, relayout(codes, k, info.input().channels()), bias, k, stride);
        }

        private static int[] relayout(byte[] codes, int k, int c) {
            int[] w = new int[codes.length];
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    for (int ci = 0; ci < c; ci++) {
                        w[(ci * k + ky) * k + kx] = codes[(ky * k + kx) * c + ci];
                    }
                }
            }
            return w;
        }

        @Override
        public void accumulate(int[] in, int[] acc) {
            int plane = height * width;
            for (int c = 0; c < channels; c++) {
                for (int oy = 0; oy < outH; oy++) {
                    int iy0 = oy * stride - padTop;
                    int kyLo = Math.max(0, -iy0);
                    int kyHi = Math.min(k, height - iy0);
                    for (int ox = 0; ox < outW; ox++) {
                        int ix0 = ox * stride - padLeft;
                        int kxLo = Math.max(0, -ix0);
                        int kxHi = Math.min(k, width - ix0);
                        acc[(c * outH + oy) * outW + ox] = bias[c]
                                + window(in, c * plane, iy0, ix0, kyLo, kyHi, kxLo, kxHi, c * k * k);
                    }
                }
            }
        }
    }

    /** Fully connected layer; weights re-laid from [in, units] to [units, in] so each output reads one row. */
    static final class Dense implements Kernel {
        private final int inputs;
        private final int units;
        private final int[] weights;
        private final int[] bias;

        Dense(LayerInfo info, byte[] codes, int[] bias) {
            this.inputs = info.input().channels();
            this.units = info.output().channels();
            this.bias = bias;
            this.weights = new int[codes.length];
            for (int i = 0; i < inputs; i++) {
                for (int u = 0; u < units; u++) {
                    weights[u * inputs + i] = codes[i * units + u];
                }
            }
        }

        @Override
        public void accumulate(int[] in, int[] acc) {
            for (int u = 0; u < units; u++) {
                int sum = bias[u];
                int row = u * inputs;
                for (int i = 0; i < inputs; i++) {
                    sum += in[i] * weights[row + i];
                }
                acc[u] = sum;
            }
        }

        @Override
        public int outputSize() {
            return units;
        }

        @Override
        public int positions() {
            return 1;
        }
    }

    /** Max pooling, VALID, stride equal to the window; codes share one scale, so the max of codes is exact. */
    static void maxPool(int[] in, int[] out, int channels, int height, int width, int size) {
        int outH = height / size;
        int outW = width / size;
        for (int c = 0; c < channels; c++) {
            int inBase = c * height * width;
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    int best = Integer.MIN_VALUE;
                    for (int py = 0; py < size; py++) {
                        int row = inBase + (oy * size + py) * width + ox * size;
                        for (int px = 0; px < size; px++) {
                            best = Math.max(best, in[row + px]);
                        }
                    }
                    out[(c * outH + oy) * outW + ox] = best;
                }
            }
        }
    }
}
