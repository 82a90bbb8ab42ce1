/*
 * Integer kernels of Distillery's reference runtime. Activations are unsigned codes, NCHW without the batch
 * dimension; weights are signed codes with zero point 0, re-laid so that every inner loop reads consecutive bytes.
 * A weighted layer accumulates bias + sum((x - in_zp) * w) in int32 (the exporter has proved that no partial sum
 * can overflow), then either requantizes it or, for the final layer, hands the accumulator to the caller.
 */

/* Requantization of one layer: code = out_zp + clamp(round(acc * mult * 2^-right), 0, top). */
typedef struct {
    const int32_t *mult;  /* Q31 multipliers; NULL for the final layer, whose accumulators are returned */
    const uint8_t *right; /* 31 - shift: the rounding right shift, 1..62 */
    int32_t step;         /* 1 when every channel has its own multiplier, 0 when one serves all */
    int32_t out_zp;       /* code of real 0 in the output */
    int32_t top;          /* largest code above out_zp: qmax - out_zp */
} PFX_requant;

/* A convolution (standard or depthwise) with SAME padding. */
typedef struct {
    int32_t in_c, in_h, in_w, out_c, out_h, out_w;
    int32_t k, stride, pad_top, pad_left;
    int32_t in_zp;
    const int8_t *w;      /* conv [F][C][k][k], depthwise [C][k][k] */
    const int32_t *bias;
    PFX_requant q;
} PFX_conv;

/* A fully connected layer. */
typedef struct {
    int32_t inputs, units, in_zp;
    const int8_t *w;      /* [units][inputs] */
    const int32_t *bias;
    PFX_requant q;
} PFX_dense;

/* Max pooling, VALID, stride equal to the window. */
typedef struct {
    int32_t channels, in_h, in_w, out_h, out_w, size;
} PFX_pool;

/*
 * round(acc * M) with M = mult * 2^-right, ties away from zero, as one rounding of the 64-bit product, then the
 * clamp to [0, top] whose lower bound is the fused ReLU. Every product <= 0 rounds to a value <= 0 and clamps to
 * 0, so only positive products are shifted (shifting a negative value is implementation-defined in C). Shifts of
 * 32 and more, the usual case, take the product's high word and shift that in 32 bits.
 */
static inline uint8_t PFX_requantize(int32_t acc, int32_t mult, int32_t right, int32_t out_zp, int32_t top) {
    const int64_t p = (int64_t) acc * mult;
    if (p <= 0) {
        return (uint8_t) out_zp;
    }
    const uint64_t rounded = (uint64_t) p + ((uint64_t) 1 << (right - 1));
    if (right >= 32) {
        const uint32_t v = (uint32_t) (rounded >> 32) >> (right - 32);
        return (uint8_t) (out_zp + (v < (uint32_t) top ? (int32_t) v : top));
    }
    const uint64_t v = rounded >> right;
    return (uint8_t) (out_zp + (v < (uint64_t) top ? (int32_t) v : top));
}

/*
 * Writes output i: a requantized code, or, for the final layer (out is NULL there), the raw accumulator. Testing
 * out rather than acc_out lets the compiler drop the branch a call never takes once the kernel is inlined.
 */
static inline void PFX_emit(const PFX_requant *q, int32_t mult, int32_t right, int32_t acc, int32_t i,
                            uint8_t *out, int32_t *acc_out) {
    if (out != NULL) {
        out[i] = PFX_requantize(acc, mult, right, q->out_zp, q->top);
    } else {
        acc_out[i] = acc;
    }
}

/* Weight codes of 4 bits or fewer are stored two per byte, low nibble first, in two's complement. */
static inline int32_t PFX_low4(int8_t b) {
    return (((uint8_t) b & 15) ^ 8) - 8;
}

static inline int32_t PFX_high4(int8_t b) {
    return (((uint8_t) b >> 4) ^ 8) - 8;
}
