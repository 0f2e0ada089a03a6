/*
 * Firmware test of the no_std ssim library on QEMU's MPS2 boards (see run.sh): builds a
 * deterministic test pair, runs the whole-image call, the streaming call (random chunks) and
 * MS-SSIM, all in static scratch, with a few bad-input checks; prints one RESULT line per case
 * (the value as the hex of its f64 bits, executed instructions per output pixel, the stack
 * high-water mark of the call) and exits with the number of failed checks.
 *
 * Built with -DFW_HOST it runs on the host against the host library with the scalar backend,
 * printing the same lines (instructions and stack 0): run.sh compares the values bit for bit.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef FW_HOST
#define SSIM_NO_STD
#endif
#include "ssim.h"

#ifdef FW_HOST
#include <stdio.h>
#include <stdlib.h>
static void fw_write(const char *s) { fputs(s, stdout); }
static uint64_t fw_ticks(void) { return 0; }
static void fw_ticks_start(void) {}
#define BACKEND SSIM_BACKEND_SCALAR
#else
#include "fw.h"
#define BACKEND SSIM_BACKEND_AUTO
/* The library's panic policy (feature panic-hook): report and stop. */
void ssim_panic_hook(const char *file, uint32_t line) {
    fw_write("FIRMWARE panic in ");
    fw_write(file);
    fw_write("\n");
    (void)line;
    fw_exit(4);
}
#endif

#define MAX_W 320
#define MAX_H 240
static uint8_t X[MAX_W * MAX_H], Y[MAX_W * MAX_H];
static uint64_t scratch_words[256 * 1024 / 8];
#define SCRATCH ((void *)scratch_words)
#define SCRATCH_BYTES sizeof scratch_words

static int failures;

/* ---- output without printf ---- */
static void put_dec(uint64_t v) {
    char b[24];
    int i = 23;
    b[i] = 0;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    fw_write(b + i);
}

static void put_hex(uint64_t v) {
    char b[17];
    for (int i = 15; i >= 0; i--, v >>= 4) b[i] = "0123456789abcdef"[v & 15];
    b[16] = 0;
    fw_write(b);
}

static uint64_t bits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static void check(int ok, const char *what) {
    if (!ok) {
        failures++;
        fw_write("FIRMWARE check failed: ");
        fw_write(what);
        fw_write("\n");
    }
}

/* ---- the test pair: textured gradient, and a noisy, shifted copy ---- */
static uint32_t lcg = 12345;
static uint32_t rnd(uint32_t n) {
    lcg = lcg * 1664525u + 1013904223u;
    return (lcg >> 8) % n;
}

static void make_pair(size_t w, size_t h) {
    lcg = 12345;
    for (size_t r = 0; r < h; r++)
        for (size_t c = 0; c < w; c++) {
            uint32_t v = (uint32_t)((c * 3 + r * 5 + ((c * r) % 17) * 7) & 255);
            int d = (int)v + (int)rnd(21) - 10 + (c % 9 == 0 ? 25 : 0);
            X[r * w + c] = (uint8_t)v;
            Y[r * w + c] = (uint8_t)(d < 0 ? 0 : d > 255 ? 255 : d);
        }
}

/* ---- measurement: SysTick ticks to instructions, stack painting ---- */
static uint64_t calib_instr, calib_ticks = 1;

static void calibrate(void) {
#ifndef FW_HOST
    const uint32_t n = 1000000;
    fw_ticks_start();
    uint64_t t0 = fw_ticks();
    /* 2 instructions per iteration. */
    register uint32_t r0 __asm__("r0") = n;
    __asm__ volatile("1: subs %0, %0, #1\n bne 1b" : "+r"(r0));
    uint64_t t1 = fw_ticks();
    calib_instr = 2ull * n;
    calib_ticks = t1 - t0;
    fw_write("CALIBRATION instructions=");
    put_dec(calib_instr);
    fw_write(" ticks=");
    put_dec(calib_ticks);
    fw_write("\n");
#endif
}

#ifndef FW_HOST
extern uint32_t __stack_limit[];
#define PAINT 0xA5C3E1F7u
static uintptr_t painted_top;

static void __attribute__((noinline)) stack_paint(void) {
    uint32_t here;
    painted_top = ((uintptr_t)&here - 256) & ~(uintptr_t)3;
    for (uint32_t *p = __stack_limit; (uintptr_t)p < painted_top; p++) *p = PAINT;
}

/* Bytes used below the painted top; the caller's frame is above it. */
static size_t __attribute__((noinline)) stack_used(void) {
    uint32_t *p = __stack_limit;
    while ((uintptr_t)p < painted_top && *p == PAINT) p++;
    return painted_top - (uintptr_t)p + 256;
}
#else
static void stack_paint(void) {}
static size_t stack_used(void) { return 0; }
#endif

static void result(const char *name, size_t w, size_t h, double v, uint64_t ticks,
                   uint64_t pixels, size_t stack) {
    fw_write("RESULT case=");
    fw_write(name);
    fw_write(" width=");
    put_dec(w);
    fw_write(" height=");
    put_dec(h);
    fw_write(" value_hex=");
    put_hex(bits(v));
    fw_write(" instr_per_px=");
    put_dec(calib_ticks ? (ticks * calib_instr / calib_ticks + pixels / 2) / pixels : 0);
    fw_write(" stack=");
    put_dec(stack);
    fw_write("\n");
}

/* ---- the cases ---- */
static void whole(const char *name, ssim_preset preset, size_t w, size_t h) {
    ssim_params p;
    size_t need = 0, mw = 0, mh = 0;
    ssim_result r;
    make_pair(w, h);
    check(ssim_params_from_preset(preset, 255.0, &p) == SSIM_OK, "params");
    check(ssim_scratch_size(&p, w, false, &need) == SSIM_OK && need <= SCRATCH_BYTES,
          "scratch size");
    check(ssim_map_size(&p, w, h, &mw, &mh) == SSIM_OK, "map size");
    ssim_image_u8 x = {X, w, h, w, 1}, y = {Y, w, h, w, 1};
    stack_paint();
    fw_ticks_start();
    uint64_t t0 = fw_ticks();
    ssim_status st =
        ssim_compute_u8_scratch(&p, &x, &y, BACKEND, SCRATCH, need, NULL, 0, NULL, 0, &r);
    uint64_t t1 = fw_ticks();
    size_t stack = stack_used();
    check(st == SSIM_OK, name);
    result(name, w, h, st == SSIM_OK ? r.ssim : -1.0, t1 - t0, (uint64_t)mw * mh, stack);
}

static void stream(const char *name, ssim_preset preset, size_t w, size_t h) {
    ssim_params p;
    size_t need = 0, mw = 0, mh = 0;
    ssim_result r;
    ssim_stream *s = NULL;
    make_pair(w, h);
    check(ssim_params_from_preset(preset, 255.0, &p) == SSIM_OK, "params");
    check(ssim_stream_scratch_size(&p, w, false, &need) == SSIM_OK && need <= SCRATCH_BYTES,
          "stream scratch size");
    check(ssim_map_size(&p, w, h, &mw, &mh) == SSIM_OK, "map size");
    ssim_status st = ssim_stream_begin(&p, w, h, BACKEND, NULL, SCRATCH, need, &s);
    check(st == SSIM_OK, "stream begin");
    stack_paint();
    fw_ticks_start();
    uint64_t t0 = fw_ticks();
    lcg = 777;
    for (size_t row = 0; row < h && st == SSIM_OK;) {
        size_t n = 1 + rnd(9);
        if (n > h - row) n = h - row;
        ssim_image_u8 x = {X + row * w, w, n, w, 1}, y = {Y + row * w, w, n, w, 1};
        st = ssim_stream_push_u8(s, &x, &y);
        row += n;
    }
    if (st == SSIM_OK) st = ssim_stream_finish(s, &r);
    uint64_t t1 = fw_ticks();
    size_t stack = stack_used();
    check(st == SSIM_OK, name);
    result(name, w, h, st == SSIM_OK ? r.ssim : -1.0, t1 - t0, (uint64_t)mw * mh, stack);
}

/* Left out with -DFW_NO_MSSSIM: the Gaussian + box firmware whose library flash run.sh holds
 * to the target. */
#ifndef FW_NO_MSSSIM
static void msssim(const char *name, size_t w, size_t h) {
    ssim_msssim_params p;
    size_t need = 0;
    ssim_msssim_result r;
    make_pair(w, h);
    check(ssim_msssim_params_from_preset(SSIM_MSSSIM_PRESET_WANG2003, 255.0, &p) == SSIM_OK,
          "msssim params");
    check(ssim_msssim_scratch_size(&p, w, h, &need) == SSIM_OK && need <= SCRATCH_BYTES,
          "msssim scratch size");
    ssim_image_u8 x = {X, w, h, w, 1}, y = {Y, w, h, w, 1};
    stack_paint();
    fw_ticks_start();
    uint64_t t0 = fw_ticks();
    ssim_status st = ssim_msssim_u8_scratch(&p, &x, &y, BACKEND, SCRATCH, need, NULL, 0, &r);
    uint64_t t1 = fw_ticks();
    size_t stack = stack_used();
    check(st == SSIM_OK, name);
    /* Per pixel of the full-resolution image. */
    result(name, w, h, st == SSIM_OK ? r.msssim : -1.0, t1 - t0, (uint64_t)w * h, stack);
}
#endif

/* Bad input gives its status and writes nothing. */
static void bad_input(void) {
    const size_t w = 32, h = 24;
    ssim_params p;
    size_t need = 0;
    ssim_stream *s = NULL;
    ssim_result r, untouched;
    memset(&untouched, 0x5A, sizeof untouched);
    r = untouched;
    make_pair(w, h);
    ssim_params_from_preset(SSIM_PRESET_WANG2004, 255.0, &p);
    ssim_image_u8 x = {X, w, h, w, 1}, y = {Y, w, h, w, 1};
    ssim_scratch_size(&p, w, false, &need);
    check(ssim_compute_u8_scratch(&p, &x, &y, BACKEND, NULL, need, NULL, 0, NULL, 0, &r) ==
              SSIM_ERROR_NULL_POINTER,
          "NULL scratch");
    check(ssim_compute_u8_scratch(&p, &x, &y, BACKEND, SCRATCH, need - 1, NULL, 0, NULL, 0,
                                  &r) == SSIM_ERROR_SCRATCH_TOO_SMALL,
          "scratch too small");
    check(memcmp(&r, &untouched, sizeof r) == 0, "a failed call wrote its result");
    char msg[128];
    check(ssim_last_error_message(msg, sizeof msg) > 0, "an error message");
    ssim_stream_scratch_size(&p, w, false, &need);
    check(ssim_stream_begin(&p, w, h, BACKEND, NULL, SCRATCH, need, &s) == SSIM_OK, "begin");
    ssim_image_u8 half = {X, w, h / 2, w, 1}, narrow = {X, w - 1, 2, w, 1};
    check(ssim_stream_push_u8(s, &narrow, &narrow) == SSIM_ERROR_SIZE_MISMATCH, "narrow rows");
    check(ssim_stream_push_u8(s, &half, &half) == SSIM_OK, "half the rows");
    check(ssim_stream_finish(s, &r) == SSIM_ERROR_ROWS_MISSING, "finish before all rows");
    check(ssim_stream_push_u8(s, &x, &y) == SSIM_ERROR_TOO_MANY_ROWS, "more rows than height");
    check(ssim_stream_push_u8(s, &half, &half) == SSIM_OK, "the other half");
    check(ssim_stream_finish(s, &r) == SSIM_OK && r.ssim == 1.0, "finish");
    check(ssim_stream_push_u8(s, &half, &half) == SSIM_ERROR_STREAM_STATE, "rows after finish");
}

int main(void) {
    calibrate();
    whole("gauss_u8", SSIM_PRESET_WANG2004, 160, 120);
    whole("box7_u8", SSIM_PRESET_SCIKIT_IMAGE, 160, 120);
    stream("gauss_u8_stream", SSIM_PRESET_WANG2004, 160, 120);
    whole("gauss_u8_320", SSIM_PRESET_WANG2004, 320, 240);
#ifndef FW_NO_MSSSIM
    msssim("msssim_u8", 192, 168);
#endif
    bad_input();
    fw_write("CHECKS failed=");
    put_dec((uint64_t)failures);
    fw_write("\n");
    return failures != 0;
}
