/*
 * Fully connected layer, four units at a time so that each input code is loaded, and its zero point subtracted,
 * once for four weight rows.
 */
static void PFX_dense_layer(const PFX_dense *L, const uint8_t *in, uint8_t *out, int32_t *acc_out) {
    const int32_t n = L->inputs, zp = L->in_zp;
    const int final = L->q.mult == NULL;
    int32_t u = 0;
    for (; u + 4 <= L->units; u += 4) {
        const int8_t *w0 = L->w + u * n;
        const int8_t *w1 = w0 + n;
        const int8_t *w2 = w1 + n;
        const int8_t *w3 = w2 + n;
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int32_t i = 0; i < n; i++) {
            const int32_t x = (int32_t) in[i] - zp;
            a0 += x * w0[i];
            a1 += x * w1[i];
            a2 += x * w2[i];
            a3 += x * w3[i];
        }
        const int32_t acc[4] = {L->bias[u] + a0, L->bias[u + 1] + a1, L->bias[u + 2] + a2, L->bias[u + 3] + a3};
        for (int32_t j = 0; j < 4; j++) {
            const int32_t mult = final ? 0 : L->q.mult[(u + j) * L->q.step];
            const int32_t right = final ? 0 : L->q.right[(u + j) * L->q.step];
            PFX_emit(&L->q, mult, right, acc[j], u + j, out, acc_out);
        }
    }
    for (; u < L->units; u++) {
        const int8_t *wu = L->w + u * n;
        int32_t a = 0;
        for (int32_t i = 0; i < n; i++) {
            a += ((int32_t) in[i] - zp) * wu[i];
        }
        const int32_t mult = final ? 0 : L->q.mult[u * L->q.step];
        const int32_t right = final ? 0 : L->q.right[u * L->q.step];
        PFX_emit(&L->q, mult, right, L->bias[u] + a, u, out, acc_out);
    }
}
