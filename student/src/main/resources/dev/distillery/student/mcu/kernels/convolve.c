/* sum(x * w) over a full 3x3 window whose rows are xs apart. */
static inline int32_t PFX_window3x3(const uint8_t *x, int32_t xs, const int8_t *w) {
    const uint8_t *x1 = x + xs;
    const uint8_t *x2 = x1 + xs;
    return x[0] * w[0] + x[1] * w[1] + x[2] * w[2] + x1[0] * w[3] + x1[1] * w[4] + x1[2] * w[5]
           + x2[0] * w[6] + x2[1] * w[7] + x2[2] * w[8];
}

/*
 * The accumulator of filter f at output (oy, ox) for any kernel size: the window clipped to the image, since a
 * padded tap is real 0 and adds nothing. Out of line, for the border positions; rows of three and two taps, the
 * clipped rows of 3x3 kernels, are unrolled.
 */
static int32_t PFX_conv_at(const PFX_conv *L, const uint8_t *in, const int8_t *wf, int32_t channels,
                           int32_t bias, int32_t oy, int32_t ox) {
    const int32_t h = L->in_h, w = L->in_w, k = L->k, zp = L->in_zp;
    const int32_t iy0 = oy * L->stride - L->pad_top;
    const int32_t ix0 = ox * L->stride - L->pad_left;
    const int32_t ky0 = iy0 < 0 ? -iy0 : 0;
    const int32_t ky1 = h - iy0 < k ? h - iy0 : k;
    const int32_t kx0 = ix0 < 0 ? -ix0 : 0;
    const int32_t kx1 = w - ix0 < k ? w - ix0 : k;
    const int32_t rows = ky1 - ky0, cols = kx1 - kx0;
    const uint8_t *x = in + (iy0 + ky0) * w + ix0 + kx0;
    const int8_t *wk = wf + ky0 * k + kx0;
    int32_t acc = bias;
    for (int32_t c = 0; c < channels; c++) {
        for (int32_t r = 0; r < rows; r++) {
            const uint8_t *xr = x + c * h * w + r * w;
            const int8_t *wr = wk + c * k * k + r * k;
            if (cols == 3) {
                acc += (xr[0] - zp) * wr[0] + (xr[1] - zp) * wr[1] + (xr[2] - zp) * wr[2];
            } else if (cols == 2) {
                acc += (xr[0] - zp) * wr[0] + (xr[1] - zp) * wr[1];
            } else {
                for (int32_t j = 0; j < cols; j++) {
                    acc += (xr[j] - zp) * wr[j];
                }
            }
        }
    }
    return acc;
}

/*
 * Standard (depthwise = 0) and depthwise (depthwise = 1) convolution with SAME padding. Output columns
 * [ox_lo, ox_hi) of rows whose window lies inside the image are the interior: for 3x3 kernels they take an
 * unrolled loop with the input zero point folded into the bias as in_zp * sum(w); every other position goes
 * through PFX_conv_at.
 */
static void PFX_convolve(const PFX_conv *L, int depthwise, const uint8_t *in, uint8_t *out, int32_t *acc_out) {
    const int32_t w = L->in_w, k = L->k, s = L->stride, plane = L->in_h * w, kk = k * k;
    const int32_t channels = depthwise ? 1 : L->in_c;
    const int32_t ox_lo = (L->pad_left + s - 1) / s;
    const int32_t ox_hi = w - k + L->pad_left < 0 ? 0 : (w - k + L->pad_left) / s + 1;
    const int32_t fast_hi = k == 3 && ox_hi > ox_lo ? (ox_hi < L->out_w ? ox_hi : L->out_w) : ox_lo;
    const int final = L->q.mult == NULL;
    int32_t o = 0;
    for (int32_t f = 0; f < L->out_c; f++) {
        const int8_t *wf = L->w + f * channels * kk;
        const uint8_t *inf = depthwise ? in + f * plane : in;
        const int32_t mult = final ? 0 : L->q.mult[f * L->q.step];
        const int32_t right = final ? 0 : L->q.right[f * L->q.step];
        const int32_t bias = L->bias[f];
        int32_t folded = bias;
        if (L->in_zp != 0) {
            int32_t wsum = 0;
            for (int32_t i = 0; i < channels * kk; i++) {
                wsum += wf[i];
            }
            folded -= L->in_zp * wsum;
        }
        for (int32_t oy = 0; oy < L->out_h; oy++) {
            const int32_t iy0 = oy * s - L->pad_top;
            int32_t ox = 0;
            if (iy0 >= 0 && iy0 + k <= L->in_h && fast_hi > ox_lo) {
                for (; ox < ox_lo; ox++, o++) {
                    PFX_emit(&L->q, mult, right, PFX_conv_at(L, inf, wf, channels, bias, oy, ox), o, out, acc_out);
                }
                const uint8_t *x = inf + iy0 * w + ox_lo * s - L->pad_left;
                if (channels == 1) { /* depthwise, or a stem on a one-channel image */
                    for (; ox < fast_hi; ox++, o++) {
                        PFX_emit(&L->q, mult, right, folded + PFX_window3x3(x + (ox - ox_lo) * s, w, wf), o, out,
                                 acc_out);
                    }
                }
                for (; ox < fast_hi; ox++, o++) {
                    int32_t acc = folded;
                    for (int32_t c = 0; c < channels; c++) {
                        acc += PFX_window3x3(x + c * plane + (ox - ox_lo) * s, w, wf + c * 9);
                    }
                    PFX_emit(&L->q, mult, right, acc, o, out, acc_out);
                }
            }
            for (; ox < L->out_w; ox++, o++) {
                PFX_emit(&L->q, mult, right, PFX_conv_at(L, inf, wf, channels, bias, oy, ox), o, out, acc_out);
            }
        }
    }
}
