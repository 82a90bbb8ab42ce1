/* Codes share one scale and zero point, so the largest code is the code of the largest value. */
static void PFX_max_pool(const PFX_pool *L, const uint8_t *in, uint8_t *out) {
    const int32_t w = L->in_w, size = L->size;
    for (int32_t c = 0; c < L->channels; c++) {
        const uint8_t *plane = in + c * L->in_h * w;
        for (int32_t oy = 0; oy < L->out_h; oy++) {
            const uint8_t *row = plane + oy * size * w;
            if (size == 2) {
                for (int32_t ox = 0; ox < L->out_w; ox++) {
                    const uint8_t *x = row + 2 * ox;
                    const uint8_t a = x[0] > x[1] ? x[0] : x[1];
                    const uint8_t b = x[w] > x[w + 1] ? x[w] : x[w + 1];
                    *out++ = a > b ? a : b;
                }
                continue;
            }
            for (int32_t ox = 0; ox < L->out_w; ox++) {
                uint8_t best = 0;
                for (int32_t py = 0; py < size; py++) {
                    const uint8_t *x = row + py * w + ox * size;
                    for (int32_t px = 0; px < size; px++) {
                        best = x[px] > best ? x[px] : best;
                    }
                }
                *out++ = best;
            }
        }
    }
}
