/*
 * Measurement program for one exported model: reads input.bin (int32 row count, int32 row length, then float32
 * rows), runs quantize_input, invoke and logits on each row, and writes the logits' float32 bit patterns to
 * output.bin. Files are the host's, through semihosting on the emulated cores. bench_mark() brackets each of the
 * three calls; an instruction-counting emulator plugin snapshots its count there. On Arm the stack below main is
 * painted before quantize_input and scanned after invoke, outside the marked regions, and the deepest byte used
 * is printed as "stack <bytes>".
 *
 * Compiled with -DMODEL_HEADER="\"<prefix>.h\"" -DMODEL_PREFIX=<prefix> -DMODEL_MACRO=<PREFIX>.
 */
#include <stdint.h>
#include <stdio.h>

#include MODEL_HEADER

#define JOIN2(a, b) a##_##b
#define JOIN(a, b) JOIN2(a, b)
#define API(name) JOIN(MODEL_PREFIX, name)
#define MODEL(name) JOIN(MODEL_MACRO, name)

/* An empty call the instruction counter recognises by its address; noinline keeps it a call. */
__attribute__((noinline)) void bench_mark(void) {
    __asm__ volatile("" ::: "memory");
}

static float x[MODEL(INPUT_SIZE)];
static int32_t acc[MODEL(CLASSES)];
static float logits[MODEL(CLASSES)];

#if defined(__arm__)
#define PAINT_WORDS 4096u
#define PAINT 0x5AA5C33Cu

static uint32_t *stack_pointer(void) {
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}
#endif

int main(void) {
    FILE *in = fopen("input.bin", "rb");
    FILE *out = fopen("output.bin", "wb");
    int32_t header[2];
#if defined(__arm__)
    uint32_t deepest = 0;
#endif
    if (in == NULL || out == NULL) {
        printf("error cannot open input.bin or output.bin\n");
        return 2;
    }
    if (fread(header, sizeof header[0], 2, in) != 2 || header[1] != MODEL(INPUT_SIZE)) {
        printf("error input.bin rows must have %ld values\n", (long) MODEL(INPUT_SIZE));
        return 3;
    }
    bench_mark(); /* two marks in a row: the cost of marking itself */
    bench_mark();
    for (int32_t n = 0; n < header[0]; n++) {
        if (fread(x, sizeof x[0], MODEL(INPUT_SIZE), in) != MODEL(INPUT_SIZE)) {
            printf("error input.bin ends at row %ld\n", (long) n);
            return 4;
        }
#if defined(__arm__)
        /* Painted inline, in main's own frame, where a painting function would overwrite its own frame. */
        uint32_t *sp = stack_pointer();
        for (uint32_t i = 1; i <= PAINT_WORDS; i++) {
            ((volatile uint32_t *) sp)[-(int32_t) i] = PAINT;
        }
#endif
        bench_mark();
        API(quantize_input)(x, API(input)());
        bench_mark();
        API(invoke)(API(input)(), acc);
        bench_mark();
#if defined(__arm__)
        for (uint32_t i = PAINT_WORDS; i >= 1; i--) {
            if (((volatile uint32_t *) sp)[-(int32_t) i] != PAINT) {
                deepest = 4 * i > deepest ? 4 * i : deepest;
                break;
            }
        }
#endif
        bench_mark();
        API(logits)(acc, logits);
        bench_mark();
        if (fwrite(logits, sizeof logits[0], MODEL(CLASSES), out) != MODEL(CLASSES)) {
            printf("error cannot write output.bin\n");
            return 5;
        }
    }
    fclose(out);
    fclose(in);
    printf("rows %ld\n", (long) header[0]);
#if defined(__arm__)
    printf("stack %lu\n", (unsigned long) deepest);
#endif
    return 0;
}
