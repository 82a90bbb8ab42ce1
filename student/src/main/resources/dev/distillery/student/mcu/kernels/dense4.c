/*
 * Fully connected layer with 4-bit weight codes, two per byte in rows of (inputs + 1) / 2 bytes; four units at
 * a time, as the 8-bit kernel.
 */
static void PFX_dense_layer4(const PFX_dense *L, const uint8_t *in, uint8_t *out, int32_t *acc_out) {
    const int32_t n = L->inputs, zp = L->in_zp, pairs = n / 2, row = (n + 1) / 2;
    const int final = L->q.mult == NULL;
    int32_t u = 0;
    for (; u + 4 <= L->units; u += 4) {
        const int8_t *w0 = L->w + u * row;
        const int8_t *w1 = w0 + row;
        const int8_t *w2 = w1 + row;
        const int8_t *w3 = w2 + row;
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int32_t j = 0; j < pairs; j++) {
            const int32_t x0 = (int32_t) in[2 * j] - zp;
            const int32_t x1 = (int32_t) in[2 * j + 1] - zp;
            a0 += x0 * PFX_low4(w0[j]) + x1 * PFX_high4(w0[j]);
            a1 += x0 * PFX_low4(w1[j]) + x1 * PFX_high4(w1[j]);
            a2 += x0 * PFX_low4(w2[j]) + x1 * PFX_high4(w2[j]);
            a3 += x0 * PFX_low4(w3[j]) + x1 * PFX_high4(w3[j]);
        }
        if (n % 2 != 0) {
            const int32_t x0 = (int32_t) in[n - 1] - zp;
            a0 += x0 * PFX_low4(w0[pairs]);
            a1 += x0 * PFX_low4(w1[pairs]);
            a2 += x0 * PFX_low4(w2[pairs]);
            a3 += x0 * PFX_low4(w3[pairs]);
        }
        const int32_t acc[4] = {L->bias[u] + a0, L->bias[u + 1] + a1, L->bias[u + 2] + a2, L->bias[u + 3] + a3};
        for (int32_t j = 0; j < 4; j++) {
            const int32_t mult = final ? 0 : L->q.mult[(u + j) * L->q.step];
            const int32_t right = final ? 0 : L->q.right[(u + j) * L->q.step];
            PFX_emit(&L->q, mult, right, acc[j], u + j, out, acc_out);
        }
    }
    for (; u < L->units; u++) {
        const int8_t *wu = L->w + u * row;
        int32_t a = 0;
        for (int32_t j = 0; j < pairs; j++) {
            a += ((int32_t) in[2 * j] - zp) * PFX_low4(wu[j]) + ((int32_t) in[2 * j + 1] - zp) * PFX_high4(wu[j]);
        }
        if (n % 2 != 0) {
            a += ((int32_t) in[n - 1] - zp) * PFX_low4(wu[pairs]);
        }
        const int32_t mult = final ? 0 : L->q.mult[u * L->q.step];
        const int32_t right = final ? 0 : L->q.right[u * L->q.step];
        PFX_emit(&L->q, mult, right, L->bias[u] + a, u, out, acc_out);
    }
}
