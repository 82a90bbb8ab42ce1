package dev.distillery.bench.jmh;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;

/**
 * The integer runtime's kernels ({@link dev.distillery.student.runtime.Kernels}) transcribed to float: the same weight layouts, loop order and
 * SAME-padding clipping, so that the integer-against-float comparison measures the arithmetic and nothing else.
 */
final class FloatKernels {
    private FloatKernels() {
    }

    /** A standard or depthwise convolution of one layer. */
    static final class Conv {
        final int channels, height, width, filters, outH, outW, k, stride, padTop, padLeft;
        final boolean depthwise;
        final float[] weights;
        final float[] bias;

        Conv(LayerInfo info, float[] w, float[] bias) {
            LayerSpec spec = info.spec();
            this.depthwise = spec instanceof LayerSpec.DepthwiseConv2d;
            this.k = depthwise ? ((LayerSpec.DepthwiseConv2d) spec).kernel() : ((LayerSpec.Conv2d) spec).kernel();
            this.stride = depthwise ? ((LayerSpec.DepthwiseConv2d) spec).stride() : ((LayerSpec.Conv2d) spec).stride();
            this.channels = info.input().channels();
            this.height = info.input().height();
            this.width = info.input().width();
            this.filters = info.output().channels();
            this.outH = info.output().height();
            this.outW = info.output().width();
            this.padTop = Architecture.samePadBefore(height, k, stride);
            this.padLeft = Architecture.samePadBefore(width, k, stride);
            this.weights = w;
            this.bias = bias;
        }

        float window(float[] in, int inBase, int iy0, int ix0, int kyLo, int kyHi, int kxLo, int kxHi, int wBase) {
            float acc = 0;
            for (int ky = kyLo; ky < kyHi; ky++) {
                int row = inBase + (iy0 + ky) * width + ix0;
                int wr = wBase + ky * k;
                for (int kx = kxLo; kx < kxHi; kx++) {
                    acc += in[row + kx] * weights[wr + kx];
                }
            }
            return acc;
        }

        void accumulate(float[] in, float[] out) {
            int plane = height * width;
            int groups = depthwise ? channels : filters;
            for (int f = 0; f < groups; f++) {
                for (int oy = 0; oy < outH; oy++) {
                    int iy0 = oy * stride - padTop;
                    int kyLo = Math.max(0, -iy0);
                    int kyHi = Math.min(k, height - iy0);
                    for (int ox = 0; ox < outW; ox++) {
                        int ix0 = ox * stride - padLeft;
                        int kxLo = Math.max(0, -ix0);
                        int kxHi = Math.min(k, width - ix0);
                        float sum = bias[f];
                        if (depthwise) {
                            sum += window(in, f * plane, iy0, ix0, kyLo, kyHi, kxLo, kxHi, f * k * k);
                        } else {
                            for (int c = 0; c < channels; c++) {
                                sum += window(in, c * plane, iy0, ix0, kyLo, kyHi, kxLo, kxHi, (f * channels + c) * k * k);
                            }
                        }
                        out[(f * outH + oy) * outW + ox] = sum;
                    }
                }
            }
        }
    }

    /** A fully connected layer, weights [units, in]. */
    static void dense(float[] in, float[] weights, float[] bias, float[] out) {
        int inputs = in.length;
        for (int u = 0; u < out.length; u++) {
            float sum = bias[u];
            int row = u * inputs;
            for (int i = 0; i < inputs; i++) {
                sum += in[i] * weights[row + i];
            }
            out[u] = sum;
        }
    }
}
