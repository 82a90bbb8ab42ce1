/*
 * 1x1 convolution with stride 1 and 4-bit weight codes, two per byte in rows of (channels + 1) / 2 bytes: each
 * byte holds the weights of two consecutive input channels. Four positions at a time, as the 8-bit kernel.
 */
static void PFX_pointwise4(const PFX_conv *L, const uint8_t *in, uint8_t *out, int32_t *acc_out) {
    const int32_t c_in = L->in_c, plane = L->in_h * L->in_w, zp = L->in_zp;
    const int32_t pairs = c_in / 2, row = (c_in + 1) / 2;
    const int final = L->q.mult == NULL;
    for (int32_t f = 0; f < L->out_c; f++) {
        const int8_t *wf = L->w + f * row;
        const int32_t mult = final ? 0 : L->q.mult[f * L->q.step];
        const int32_t right = final ? 0 : L->q.right[f * L->q.step];
        uint8_t *const of = out == NULL ? NULL : out + f * plane;
        int32_t *const af = acc_out == NULL ? NULL : acc_out + f * plane;
        int32_t base = L->bias[f];
        if (zp != 0) {
            int32_t wsum = 0;
            for (int32_t j = 0; j < row; j++) {
                wsum += PFX_low4(wf[j]) + (j < pairs ? PFX_high4(wf[j]) : 0);
            }
            base -= zp * wsum;
        }
        int32_t p = 0;
        for (; p + 4 <= plane; p += 4) {
            int32_t a0 = base, a1 = base, a2 = base, a3 = base;
            for (int32_t j = 0; j < pairs; j++) {
                const int32_t lo = PFX_low4(wf[j]);
                const int32_t hi = PFX_high4(wf[j]);
                const uint8_t *x = in + 2 * j * plane + p;
                const uint8_t *y = x + plane;
                a0 += x[0] * lo + y[0] * hi;
                a1 += x[1] * lo + y[1] * hi;
                a2 += x[2] * lo + y[2] * hi;
                a3 += x[3] * lo + y[3] * hi;
            }
            if (c_in % 2 != 0) {
                const int32_t lo = PFX_low4(wf[pairs]);
                const uint8_t *x = in + (c_in - 1) * plane + p;
                a0 += x[0] * lo;
                a1 += x[1] * lo;
                a2 += x[2] * lo;
                a3 += x[3] * lo;
            }
            PFX_emit(&L->q, mult, right, a0, p, of, af);
            PFX_emit(&L->q, mult, right, a1, p + 1, of, af);
            PFX_emit(&L->q, mult, right, a2, p + 2, of, af);
            PFX_emit(&L->q, mult, right, a3, p + 3, of, af);
        }
        for (; p < plane; p++) {
            int32_t a = base;
            for (int32_t j = 0; j < pairs; j++) {
                a += in[2 * j * plane + p] * PFX_low4(wf[j]) + in[(2 * j + 1) * plane + p] * PFX_high4(wf[j]);
            }
            if (c_in % 2 != 0) {
                a += in[(c_in - 1) * plane + p] * PFX_low4(wf[pairs]);
            }
            PFX_emit(&L->q, mult, right, a, p, of, af);
        }
    }
}
