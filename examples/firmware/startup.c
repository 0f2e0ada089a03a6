/*
 * Startup for QEMU mps2-an386 (Cortex-M4F) and mps2-an500 (Cortex-M7): the vector table, the
 * reset handler (copy .data, zero .bss, enable the FPU, run main, exit through semihosting),
 * a SysTick that counts its wraps, and the semihosting calls main.c prints through.
 */
#include <stdint.h>

#include "fw.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];
int main(void);

/* Semihosting: `bkpt 0xAB` with the operation in r0 and its argument in r1. */
static uint32_t semihost(uint32_t op, const void *arg) {
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void fw_write(const char *s) { semihost(0x04 /* SYS_WRITE0 */, s); }

void fw_exit(int status) {
    /* SYS_EXIT_EXTENDED: ADP_Stopped_ApplicationExit with the status as the exit code. */
    uint32_t block[2] = {0x20026, (uint32_t)status};
    semihost(0x20, block);
    for (;;) {
    }
}

/* SysTick: the 24-bit down-counter runs off the CPU clock; under `-icount shift=0` QEMU's
 * virtual clock advances 1 ns per executed instruction, so ticks measure instructions (the
 * ratio is calibrated in main.c against a loop of known length). */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
static volatile uint32_t systick_wraps;

void SysTick_Handler(void) { systick_wraps++; }

void fw_ticks_start(void) {
    SYST_CSR = 0;
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    systick_wraps = 0;
    SYST_CSR = 7; /* enable, interrupt on wrap, CPU clock */
    /* The first tick reloads the counter from 0: start counting after it. */
    while (SYST_CVR == 0) {
    }
    systick_wraps = 0;
}

uint64_t fw_ticks(void) {
    uint32_t w, v;
    do {
        w = systick_wraps;
        v = SYST_CVR;
    } while (w != systick_wraps);
    return (uint64_t)w * 0x1000000u + (0xFFFFFFu - v);
}

static void Default_Handler(void) {
    fw_write("FIRMWARE fault: unexpected exception\n");
    fw_exit(3);
}

void Reset_Handler(void) {
    uint32_t *src = __data_load, *dst = __data_start;
    while (dst < __data_end) *dst++ = *src++;
    for (dst = __bss_start; dst < __bss_end; dst++) *dst = 0;
    /* CPACR: full access to CP10 and CP11 (the FPU) before any float instruction runs. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n isb" ::: "memory");
    fw_exit(main());
}

/* Initial stack pointer, then the handlers: reset, NMI, HardFault, MemManage, BusFault,
 * UsageFault, 4 reserved, SVCall, DebugMonitor, reserved, PendSV, SysTick. */
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)__stack_top,
    Reset_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    0,
    0,
    0,
    0,
    Default_Handler,
    Default_Handler,
    0,
    Default_Handler,
    SysTick_Handler,
};
