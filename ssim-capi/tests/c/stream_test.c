/*
 * The row-streaming API and MS-SSIM in caller scratch, from C: streams fed in random chunks
 * must give the bits of the whole-image call (mean, SSIM map and cs map, the row callback),
 * for u8, u16 and f32, Gaussian and box windows; MS-SSIM with caller scratch must give the
 * per-level means of the allocating call bit for bit; and every bad stream call gives its
 * status and changes nothing. Built and run by tests/c_api.rs. Prints "N passed, 0 failed".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssim.h"

static long passed, failed;

#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        if (cond) {                                                                            \
            passed++;                                                                          \
        } else {                                                                               \
            failed++;                                                                          \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                        \
            printf(__VA_ARGS__);                                                               \
            printf("\n");                                                                      \
        }                                                                                      \
    } while (0)

#define STATUS(want, call)                                                                     \
    do {                                                                                       \
        ssim_status st_ = (call);                                                              \
        CHECK(st_ == (want), "%s returned %d (%s), expected %d (%s)", #call, (int)st_,         \
              ssim_status_str(st_), (int)(want), ssim_status_str(want));                       \
    } while (0)

static unsigned long long rng = 0x9E3779B97F4A7C15ull;
static unsigned rnd(unsigned n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* A deterministic pair: a gradient with texture, and a noisy, shifted copy. */
static void make_pair(size_t w, size_t h, unsigned char *x, unsigned char *y) {
    for (size_t r = 0; r < h; r++)
        for (size_t c = 0; c < w; c++) {
            unsigned v = (unsigned)((c * 3 + r * 5 + ((c * r) % 17) * 7) & 255);
            int d = (int)v + (int)rnd(21) - 10 + (c % 9 == 0 ? 25 : 0);
            x[r * w + c] = (unsigned char)v;
            y[r * w + c] = (unsigned char)(d < 0 ? 0 : d > 255 ? 255 : d);
        }
}

typedef struct {
    float *ssim;
    float *cs;
    size_t width;
    size_t rows;
    int out_of_order;
} rows_seen;

static void on_row(void *ctx, size_t row, const float *ssim, const float *cs, size_t width) {
    rows_seen *s = ctx;
    if (row != s->rows || width != s->width) s->out_of_order = 1;
    memcpy(s->ssim + row * width, ssim, width * sizeof *ssim);
    memcpy(s->cs + row * width, cs, width * sizeof *cs);
    s->rows++;
}

enum kind { U8, U16, F32 };

static ssim_status push(enum kind k, ssim_stream *s, const void *x, const void *y, size_t w,
                        size_t row0, size_t rows) {
    if (k == U8) {
        ssim_image_u8 a = {(const uint8_t *)x + row0 * w, w, rows, w, 1};
        ssim_image_u8 b = {(const uint8_t *)y + row0 * w, w, rows, w, 1};
        return ssim_stream_push_u8(s, &a, &b);
    } else if (k == U16) {
        ssim_image_u16 a = {(const uint16_t *)x + row0 * w, w, rows, w, 1};
        ssim_image_u16 b = {(const uint16_t *)y + row0 * w, w, rows, w, 1};
        return ssim_stream_push_u16(s, &a, &b);
    }
    ssim_image_f32 a = {(const float *)x + row0 * w, w, rows, w, 1};
    ssim_image_f32 b = {(const float *)y + row0 * w, w, rows, w, 1};
    return ssim_stream_push_f32(s, &a, &b);
}

static ssim_status whole(enum kind k, const ssim_params *p, const void *x, const void *y,
                         size_t w, size_t h, void *scratch, size_t bytes, float *m, float *cm,
                         size_t mlen, ssim_result *out) {
    if (k == U8) {
        ssim_image_u8 a = {x, w, h, w, 1}, b = {y, w, h, w, 1};
        return ssim_compute_u8_scratch(p, &a, &b, SSIM_BACKEND_AUTO, scratch, bytes, m, mlen, cm,
                                       cm ? mlen : 0, out);
    } else if (k == U16) {
        ssim_image_u16 a = {x, w, h, w, 1}, b = {y, w, h, w, 1};
        return ssim_compute_u16_scratch(p, &a, &b, SSIM_BACKEND_AUTO, scratch, bytes, m, mlen,
                                        cm, cm ? mlen : 0, out);
    }
    ssim_image_f32 a = {x, w, h, w, 1}, b = {y, w, h, w, 1};
    return ssim_compute_f32_scratch(p, &a, &b, SSIM_BACKEND_AUTO, scratch, bytes, m, mlen, cm,
                                    cm ? mlen : 0, out);
}

/* One stream in random chunks against the whole-image call, with and without maps. */
static void stream_case(enum kind k, ssim_preset preset, size_t w, size_t h, int with_map) {
    static const double ranges[] = {255.0, 1023.0, 1.0};
    ssim_params p;
    STATUS(SSIM_OK, ssim_params_from_preset(preset, ranges[k], &p));
    unsigned char *x8 = malloc(w * h), *y8 = malloc(w * h);
    make_pair(w, h, x8, y8);
    size_t size = k == U8 ? 1 : k == U16 ? 2 : 4;
    void *x = malloc(w * h * size), *y = malloc(w * h * size);
    for (size_t i = 0; i < w * h; i++) {
        if (k == U8) {
            ((uint8_t *)x)[i] = x8[i];
            ((uint8_t *)y)[i] = y8[i];
        } else if (k == U16) {
            ((uint16_t *)x)[i] = (uint16_t)(x8[i] * 4 + (i % 4));
            ((uint16_t *)y)[i] = (uint16_t)(y8[i] * 4);
        } else {
            ((float *)x)[i] = x8[i] / 255.0f;
            ((float *)y)[i] = y8[i] / 255.0f;
        }
    }
    size_t mw = 0, mh = 0, bytes = 0, sbytes = 0;
    STATUS(SSIM_OK, ssim_map_size(&p, w, h, &mw, &mh));
    STATUS(SSIM_OK, ssim_scratch_size(&p, w, with_map, &bytes));
    STATUS(SSIM_OK, ssim_stream_scratch_size(&p, w, with_map, &sbytes));
    CHECK(sbytes > bytes, "stream scratch %zu not above the engine's %zu", sbytes, bytes);
    size_t n = mw * mh;
    float *m1 = calloc(n, 4), *c1 = calloc(n, 4), *m2 = calloc(n, 4), *c2 = calloc(n, 4);
    float *m3 = calloc(n, 4), *c3 = calloc(n, 4);
    void *scratch = malloc(bytes > sbytes ? bytes : sbytes);
    ssim_result r1, r2;
    STATUS(SSIM_OK, whole(k, &p, x, y, w, h, scratch, bytes, with_map ? m1 : NULL,
                          with_map ? c1 : NULL, n, &r1));
    for (int round = 0; round < 3; round++) {
        /* An odd offset: any alignment of the scratch works. */
        unsigned char *base = malloc(sbytes + 3);
        void *sc = base + round;
        ssim_stream *s = NULL;
        rows_seen seen = {m3, c3, mw, 0, 0};
        ssim_stream_map map = {m2, n, c2, n, on_row, &seen};
        memset(m2, 0, n * 4);
        STATUS(SSIM_OK, ssim_stream_begin(&p, w, h, SSIM_BACKEND_AUTO, with_map ? &map : NULL,
                                          sc, sbytes, &s));
        size_t row = 0;
        while (row < h) {
            size_t rows = 1 + rnd(round == 0 ? 3 : 40);
            if (rows > h - row) rows = h - row;
            STATUS(SSIM_OK, push(k, s, x, y, w, row, rows));
            row += rows;
        }
        memset(&r2, 0xA5, sizeof r2);
        STATUS(SSIM_OK, ssim_stream_finish(s, &r2));
        CHECK(r2.ssim == r1.ssim && r2.cs == r1.cs && r2.count == r1.count &&
                  r2.backend == r1.backend,
              "kind %d preset %u %zux%zu map %d round %d: stream %.17g/%.17g, whole %.17g/%.17g",
              (int)k, preset, w, h, with_map, round, r2.ssim, r2.cs, r1.ssim, r1.cs);
        if (with_map) {
            CHECK(memcmp(m1, m2, n * 4) == 0 && memcmp(c1, c2, n * 4) == 0,
                  "kind %d: the streamed maps differ from the whole-image maps", (int)k);
            CHECK(seen.rows == mh && !seen.out_of_order && memcmp(m1, m3, n * 4) == 0 &&
                      memcmp(c1, c3, n * 4) == 0,
                  "kind %d: the row callback saw %zu rows of %zu (order ok: %d) or other values",
                  (int)k, seen.rows, mh, !seen.out_of_order);
        }
        /* The handle is dead after finish. */
        STATUS(SSIM_ERROR_STREAM_STATE, push(k, s, x, y, w, 0, 1));
        STATUS(SSIM_ERROR_STREAM_STATE, ssim_stream_finish(s, &r2));
        free(base);
    }
    free(scratch);
    free(m1), free(c1), free(m2), free(c2), free(m3), free(c3);
    free(x), free(y), free(x8), free(y8);
}

/* Bad input: each gives its status, and the stream goes on as if the call had not happened. */
static void bad_stream_calls(void) {
    const size_t w = 40, h = 30;
    ssim_params p;
    STATUS(SSIM_OK, ssim_params_from_preset(SSIM_PRESET_WANG2004, 255.0, &p));
    unsigned char x[40 * 30], y[40 * 30];
    make_pair(w, h, x, y);
    size_t bytes = 0, ebytes = 0;
    STATUS(SSIM_OK, ssim_stream_scratch_size(&p, w, false, &bytes));
    STATUS(SSIM_OK, ssim_scratch_size(&p, w, false, &ebytes));
    unsigned char *sc = malloc(bytes);
    ssim_stream *s = NULL;
    ssim_result r, before;
    STATUS(SSIM_ERROR_NULL_POINTER, ssim_stream_scratch_size(NULL, w, false, &bytes));
    STATUS(SSIM_ERROR_NULL_POINTER, ssim_stream_begin(NULL, w, h, 0, NULL, sc, bytes, &s));
    STATUS(SSIM_ERROR_NULL_POINTER, ssim_stream_begin(&p, w, h, 0, NULL, NULL, bytes, &s));
    STATUS(SSIM_ERROR_NULL_POINTER, ssim_stream_begin(&p, w, h, 0, NULL, sc, bytes, NULL));
    STATUS(SSIM_ERROR_SCRATCH_TOO_SMALL, ssim_stream_begin(&p, w, h, 0, NULL, sc, bytes - 1, &s));
    CHECK(s == NULL, "a failed begin wrote the handle");
    STATUS(SSIM_ERROR_ZERO_DIMENSION, ssim_stream_begin(&p, w, 0, 0, NULL, sc, bytes, &s));
    STATUS(SSIM_ERROR_IMAGE_SMALLER_THAN_WINDOW, ssim_stream_begin(&p, w, 5, 0, NULL, sc, bytes, &s));
    STATUS(SSIM_ERROR_BACKEND_UNSUPPORTED, ssim_stream_begin(&p, w, h, 77, NULL, sc, bytes, &s));
    float small[4];
    ssim_stream_map tiny = {small, 4, NULL, 0, NULL, NULL};
    size_t mbytes = 0;
    STATUS(SSIM_OK, ssim_stream_scratch_size(&p, w, true, &mbytes));
    unsigned char *msc = malloc(mbytes);
    STATUS(SSIM_ERROR_MAP_TOO_SMALL, ssim_stream_begin(&p, w, h, 0, &tiny, msc, mbytes, &s));
    free(msc);
    CHECK(s == NULL, "a failed begin wrote the handle");
    STATUS(SSIM_OK, ssim_stream_begin(&p, w, h, 0, NULL, sc, bytes, &s));
    ssim_image_u8 a = {x, w, 10, w, 1}, b = {y, w, 10, w, 1};
    STATUS(SSIM_ERROR_NULL_POINTER, ssim_stream_push_u8(NULL, &a, &b));
    STATUS(SSIM_ERROR_NULL_POINTER, ssim_stream_push_u8(s, NULL, &b));
    ssim_image_u8 nodata = {NULL, w, 10, w, 1};
    STATUS(SSIM_ERROR_NULL_POINTER, ssim_stream_push_u8(s, &nodata, &b));
    STATUS(SSIM_ERROR_STREAM_STATE, ssim_stream_push_u8((ssim_stream *)(void *)small, &a, &b));
    ssim_image_u8 narrow = {x, w - 1, 10, w, 1};
    STATUS(SSIM_ERROR_SIZE_MISMATCH, ssim_stream_push_u8(s, &narrow, &narrow));
    STATUS(SSIM_ERROR_SIZE_MISMATCH, ssim_stream_push_u8(s, &a, &narrow));
    ssim_image_u8 shortstride = {x, w, 10, w - 1, 1};
    STATUS(SSIM_ERROR_STRIDE_TOO_SHORT, ssim_stream_push_u8(s, &shortstride, &shortstride));
    ssim_image_u8 zero = {x, w, 0, w, 1};
    STATUS(SSIM_ERROR_ZERO_DIMENSION, ssim_stream_push_u8(s, &zero, &zero));
    uint16_t x16[40 * 10] = {0};
    ssim_image_u16 a16 = {x16, w, 10, w, 1};
    STATUS(SSIM_OK, ssim_stream_push_u8(s, &a, &b));
    STATUS(SSIM_ERROR_SAMPLE_TYPE, ssim_stream_push_u16(s, &a16, &a16));
    STATUS(SSIM_ERROR_ROWS_MISSING, ssim_stream_finish(s, &r));
    ssim_image_u8 all = {x, w, h, w, 1};
    STATUS(SSIM_ERROR_TOO_MANY_ROWS, ssim_stream_push_u8(s, &all, &all));
    /* After all the rejected calls, the rest of the image still gives the whole-image bits. */
    ssim_image_u8 rest_x = {x + 10 * w, w, h - 10, w, 1}, rest_y = {y + 10 * w, w, h - 10, w, 1};
    STATUS(SSIM_OK, ssim_stream_push_u8(s, &rest_x, &rest_y));
    STATUS(SSIM_ERROR_NULL_POINTER, ssim_stream_finish(s, NULL));
    STATUS(SSIM_OK, ssim_stream_finish(s, &r));
    ssim_image_u8 wx = {x, w, h, w, 1}, wy = {y, w, h, w, 1};
    unsigned char *esc = malloc(ebytes);
    STATUS(SSIM_OK, ssim_compute_u8_scratch(&p, &wx, &wy, 0, esc, ebytes, NULL, 0, NULL, 0,
                                            &before));
    CHECK(r.ssim == before.ssim && r.cs == before.cs, "after rejected calls: %.17g vs %.17g",
          r.ssim, before.ssim);
    STATUS(SSIM_ERROR_STREAM_STATE, ssim_stream_push_u8(s, &a, &b));
    free(esc);

    /* NaN rows: nothing of the chunk is pushed. */
    float fx[40 * 30], fy[40 * 30];
    for (size_t i = 0; i < w * h; i++) fx[i] = x[i] / 255.0f, fy[i] = y[i] / 255.0f;
    ssim_params pf;
    STATUS(SSIM_OK, ssim_params_from_preset(SSIM_PRESET_WANG2004, 1.0, &pf));
    STATUS(SSIM_OK, ssim_stream_begin(&pf, w, h, 0, NULL, sc, bytes, &s));
    float keep = fy[5 * w + 7];
    fy[5 * w + 7] = NAN;
    ssim_image_f32 fa = {fx, w, h, w, 1}, fb = {fy, w, h, w, 1};
    STATUS(SSIM_ERROR_NON_FINITE_SAMPLE, ssim_stream_push_f32(s, &fa, &fb));
    char msg[256];
    ssim_last_error_message(msg, sizeof msg);
    CHECK(strstr(msg, "row 5, column 7") != NULL, "NaN message: %s", msg);
    fy[5 * w + 7] = keep;
    STATUS(SSIM_OK, ssim_stream_push_f32(s, &fa, &fb));
    STATUS(SSIM_OK, ssim_stream_finish(s, &r));
    free(sc);
}

/* MS-SSIM with caller scratch against the allocating MS-SSIM. */
static void msssim_case(ssim_msssim_preset preset, size_t w, size_t h, int auto_levels) {
    ssim_msssim_params p;
    STATUS(SSIM_OK, ssim_msssim_params_from_preset(preset, 255.0, &p));
    p.auto_levels = auto_levels;
    unsigned char *x = malloc(w * h), *y = malloc(w * h);
    make_pair(w, h, x, y);
    ssim_image_u8 a = {x, w, h, w, 1}, b = {y, w, h, w, 1};
    size_t bytes = 0;
    STATUS(SSIM_OK, ssim_msssim_scratch_size(&p, w, h, &bytes));
    unsigned char *sc = malloc(bytes + 1);
    ssim_level l1[SSIM_MSSSIM_MAX_LEVELS], l2[SSIM_MSSSIM_MAX_LEVELS];
    ssim_msssim_result r1, r2;
    ssim_config one = {SSIM_BACKEND_AUTO, 1};
    STATUS(SSIM_OK, ssim_msssim_u8(&p, &a, &b, &one, l1, SSIM_MSSSIM_MAX_LEVELS, &r1));
    STATUS(SSIM_OK, ssim_msssim_u8_scratch(&p, &a, &b, SSIM_BACKEND_AUTO, sc + 1, bytes, l2,
                                           SSIM_MSSSIM_MAX_LEVELS, &r2));
    CHECK(r1.levels == r2.levels, "levels %u vs %u", r1.levels, r2.levels);
    for (unsigned i = 0; i < r1.levels && i < r2.levels; i++)
        CHECK(l1[i].width == l2[i].width && l1[i].height == l2[i].height &&
                  l1[i].ssim == l2[i].ssim && l1[i].cs == l2[i].cs,
              "MS-SSIM %zux%zu level %u: scratch %.17g/%.17g, allocating %.17g/%.17g", w, h, i,
              l2[i].ssim, l2[i].cs, l1[i].ssim, l1[i].cs);
    CHECK(fabs(r1.msssim - r2.msssim) <= 4e-16 * fabs(r1.msssim),
          "MS-SSIM %zux%zu: scratch %.17g, allocating %.17g", w, h, r2.msssim, r1.msssim);
    STATUS(SSIM_ERROR_SCRATCH_TOO_SMALL,
           ssim_msssim_u8_scratch(&p, &a, &b, 0, sc, bytes - 1, NULL, 0, &r2));
    STATUS(SSIM_ERROR_NULL_POINTER, ssim_msssim_u8_scratch(&p, &a, &b, 0, NULL, bytes, NULL, 0, &r2));
    STATUS(SSIM_ERROR_LEVELS_TOO_SMALL,
           ssim_msssim_u8_scratch(&p, &a, &b, 0, sc, bytes, l2, 1, &r2));
    free(sc), free(x), free(y);
}

int main(void) {
    const ssim_preset presets[] = {SSIM_PRESET_WANG2004, SSIM_PRESET_SCIKIT_IMAGE,
                                   SSIM_PRESET_MATLAB};
    for (int k = U8; k <= F32; k++)
        for (size_t i = 0; i < sizeof presets / sizeof *presets; i++)
            for (int with_map = 0; with_map < 2; with_map++) {
                stream_case((enum kind)k, presets[i], 67, 45, with_map);
                stream_case((enum kind)k, presets[i], 13, 120, with_map);
            }
    bad_stream_calls();
    msssim_case(SSIM_MSSSIM_PRESET_WANG2003, 200, 170, 0);
    msssim_case(SSIM_MSSSIM_PRESET_PYTORCH_MSSSIM, 201, 163, 0);
    msssim_case(SSIM_MSSSIM_PRESET_WANG2003, 97, 130, 1);
    printf("stream_test: %ld passed, %ld failed\n", passed, failed);
    return failed != 0;
}
