/*
 * 1x1 convolution with stride 1: a [F][C] by [C][P] matrix product. Four positions share each weight load; the
 * zero point folds into the bias because no tap is ever padded.
 */
static void PFX_pointwise(const PFX_conv *L, const uint8_t *in, uint8_t *out, int32_t *acc_out) {
    const int32_t c_in = L->in_c, plane = L->in_h * L->in_w, zp = L->in_zp;
    const int final = L->q.mult == NULL;
    for (int32_t f = 0; f < L->out_c; f++) {
        const int8_t *wf = L->w + f * c_in;
        const int32_t mult = final ? 0 : L->q.mult[f * L->q.step];
        const int32_t right = final ? 0 : L->q.right[f * L->q.step];
        uint8_t *const of = out == NULL ? NULL : out + f * plane;
        int32_t *const af = acc_out == NULL ? NULL : acc_out + f * plane;
        int32_t base = L->bias[f];
        if (zp != 0) {
            int32_t wsum = 0;
            for (int32_t c = 0; c < c_in; c++) {
                wsum += wf[c];
            }
            base -= zp * wsum;
        }
        int32_t p = 0;
        for (; p + 4 <= plane; p += 4) {
            int32_t a0 = base, a1 = base, a2 = base, a3 = base;
            for (int32_t c = 0; c < c_in; c++) {
                const uint8_t *x = in + c * plane + p;
                const int32_t wv = wf[c];
                a0 += x[0] * wv;
                a1 += x[1] * wv;
                a2 += x[2] * wv;
                a3 += x[3] * wv;
            }
            PFX_emit(&L->q, mult, right, a0, p, of, af);
            PFX_emit(&L->q, mult, right, a1, p + 1, of, af);
            PFX_emit(&L->q, mult, right, a2, p + 2, of, af);
            PFX_emit(&L->q, mult, right, a3, p + 3, of, af);
        }
        for (; p < plane; p++) {
            int32_t a = base;
            for (int32_t c = 0; c < c_in; c++) {
                a += in[c * plane + p] * wf[c];
            }
            PFX_emit(&L->q, mult, right, a, p, of, af);
        }
    }
}
