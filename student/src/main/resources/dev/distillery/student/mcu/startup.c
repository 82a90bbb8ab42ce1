/*
 * Bare-metal start of the measurement program on QEMU's MPS2/MPS3 boards: the vector table, and a reset handler
 * that enables the FPU (and, on the Cortex-M55, Helium, which shares its coprocessor access bits), copies .data
 * from flash, zeroes .bss and calls main. Faults end the run through semihosting with status 134, so a crash is a
 * failed run instead of a hang.
 */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[], __stack_top[];
extern int main(void);
extern void initialise_monitor_handles(void);
extern void _exit(int status);

void reset_handler(void);

/* newlib's exit runs __libc_fini_array, which calls _fini; crti.o, which would define it, is not linked. */
void _init(void) {
}

void _fini(void) {
}

static void fault_handler(void) {
    _exit(134);
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void)) (uintptr_t) __stack_top, /* initial stack pointer */
    reset_handler,
    fault_handler, /* NMI */
    fault_handler, /* HardFault */
    fault_handler, /* MemManage */
    fault_handler, /* BusFault */
    fault_handler, /* UsageFault */
    0, 0, 0, 0,
    fault_handler, /* SVCall */
    fault_handler, /* DebugMonitor */
    0,
    fault_handler, /* PendSV */
    fault_handler, /* SysTick */
};

void reset_handler(void) {
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    /* CPACR: full access to CP10 and CP11 before the first floating-point (or vector) instruction. */
    *(volatile uint32_t *) 0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = __bss_start; dst < __bss_end;) {
        *dst++ = 0;
    }
    initialise_monitor_handles();
    exit(main());
}
