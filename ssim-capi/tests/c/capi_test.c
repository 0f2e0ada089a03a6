/*
 * Tests of the C API, written against include/ssim.h only.
 *
 *   capi_test TESTDATA_DIR [CASE ...]
 *
 * Each CASE is one reference vector from testdata/cases.json, handed over by the Rust harness
 * (ssim-capi/tests/c_api.rs) as `id|kind|config|data_range|ref|dist|expected|map|scales`
 * (map and scales may be empty; scales is `w:h:ssim:cs,...`). The images are read here with
 * a small PGM/PPM/PFM reader. Every case is computed through the allocating, the map and the
 * caller-scratch entry points; then every bad-argument status is checked.
 *
 * Prints `N passed, N failed` and exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#include "ssim.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Means must match the float64 references within this (the library's stated bound). */
#define MEAN_TOL 1e-6
/* Map files are float32; the engine's map pixels are within 4.2e-7 of float64. */
#define MAP_TOL 2e-6

static long checks_passed, checks_failed;
static double worst_mean_err, worst_map_err, worst_level_err;

#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        if (cond) {                                                                            \
            checks_passed++;                                                                   \
        } else {                                                                               \
            checks_failed++;                                                                   \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                               \
            fprintf(stderr, __VA_ARGS__);                                                      \
            fputc('\n', stderr);                                                               \
        }                                                                                      \
    } while (0)

#define EXPECT_STATUS(want, call)                                                              \
    do {                                                                                       \
        ssim_status st_ = (call);                                                              \
        CHECK(st_ == (want), "%s returned %d (%s), expected %d (%s)", #call, (int)st_,         \
              ssim_status_str(st_), (int)(want), ssim_status_str(want));                       \
    } while (0)

/* ---------------------------------------------------------------- images -- */

enum kind { KIND_U8, KIND_U16, KIND_F32 };

typedef struct {
    enum kind kind;
    size_t width, height, channels;
    void *data; /* uint8_t, uint16_t (host order) or float, rows top to bottom */
} image;

static void image_free(image *im) {
    free(im->data);
    im->data = NULL;
}

static int read_file(const char *path, unsigned char **buf, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = malloc(cap);
    for (;;) {
        if (n == cap) {
            unsigned char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                fclose(f);
                return 0;
            }
            b = nb;
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    fclose(f);
    *buf = b;
    *len = n;
    return 1;
}

/* Next whitespace-separated header token, skipping `#` comments. */
static int token(const unsigned char *b, size_t len, size_t *pos, char *out, size_t out_len) {
    size_t p = *pos, n = 0;
    for (;;) {
        while (p < len && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r')) p++;
        if (p < len && b[p] == '#') {
            while (p < len && b[p] != '\n') p++;
            continue;
        }
        break;
    }
    while (p < len && !(b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r')) {
        if (n + 1 < out_len) out[n++] = (char)b[p];
        p++;
    }
    out[n] = 0;
    *pos = p;
    return n > 0;
}

/* P5 (8- or 16-bit grey), P6 (8-bit RGB) or Pf (little-endian float grey, bottom row first). */
static int read_image(const char *path, image *im) {
    unsigned char *b;
    size_t len, pos = 0;
    char magic[8], tw[32], th[32], tm[32];
    if (!read_file(path, &b, &len)) return 0;
    if (!token(b, len, &pos, magic, sizeof magic) || !token(b, len, &pos, tw, sizeof tw) ||
        !token(b, len, &pos, th, sizeof th) || !token(b, len, &pos, tm, sizeof tm)) {
        free(b);
        return 0;
    }
    pos++; /* the single whitespace byte before the raster */
    im->width = strtoul(tw, NULL, 10);
    im->height = strtoul(th, NULL, 10);
    size_t px = im->width * im->height;
    int ok = 0;
    if (strcmp(magic, "P5") == 0 || strcmp(magic, "P6") == 0) {
        long maxval = strtol(tm, NULL, 10);
        im->channels = magic[1] == '6' ? 3 : 1;
        size_t n = px * im->channels;
        if (maxval <= 255 && pos + n <= len) {
            im->kind = KIND_U8;
            im->data = malloc(n);
            memcpy(im->data, b + pos, n);
            ok = 1;
        } else if (maxval > 255 && pos + 2 * n <= len) {
            im->kind = KIND_U16;
            uint16_t *d = malloc(2 * n);
            for (size_t i = 0; i < n; i++)
                d[i] = (uint16_t)((b[pos + 2 * i] << 8) | b[pos + 2 * i + 1]); /* big-endian */
            im->data = d;
            ok = 1;
        }
    } else if (strcmp(magic, "Pf") == 0 && strtod(tm, NULL) < 0 && pos + 4 * px <= len) {
        im->kind = KIND_F32;
        im->channels = 1;
        float *d = malloc(4 * px);
        for (size_t r = 0; r < im->height; r++) {
            const unsigned char *src = b + pos + 4 * (im->height - 1 - r) * im->width;
            for (size_t c = 0; c < im->width; c++) {
                uint32_t u = (uint32_t)src[4 * c] | (uint32_t)src[4 * c + 1] << 8 |
                             (uint32_t)src[4 * c + 2] << 16 | (uint32_t)src[4 * c + 3] << 24;
                memcpy(&d[r * im->width + c], &u, 4);
            }
        }
        im->data = d;
        ok = 1;
    }
    free(b);
    return ok;
}

/* ------------------------------------------------------- reference cases -- */

/* One channel of an interleaved image as the three view structs (only one is used). */
typedef struct {
    ssim_image_u8 u8;
    ssim_image_u16 u16;
    ssim_image_f32 f32;
} view;

static view view_of(const image *im, size_t channel) {
    view v;
    size_t stride = im->width * im->channels, step = im->channels;
    memset(&v, 0, sizeof v);
    if (im->kind == KIND_U8)
        v.u8 = (ssim_image_u8){(const uint8_t *)im->data + channel, im->width, im->height,
                               stride, step};
    if (im->kind == KIND_U16)
        v.u16 = (ssim_image_u16){(const uint16_t *)im->data + channel, im->width, im->height,
                                 stride, step};
    if (im->kind == KIND_F32)
        v.f32 = (ssim_image_f32){(const float *)im->data + channel, im->width, im->height,
                                 stride, step};
    return v;
}

static ssim_status compute(enum kind k, const ssim_params *p, const view *x, const view *y,
                           const ssim_config *cfg, ssim_result *out) {
    switch (k) {
    case KIND_U8: return ssim_compute_u8(p, &x->u8, &y->u8, cfg, out);
    case KIND_U16: return ssim_compute_u16(p, &x->u16, &y->u16, cfg, out);
    default: return ssim_compute_f32(p, &x->f32, &y->f32, cfg, out);
    }
}

static ssim_status map(enum kind k, const ssim_params *p, const view *x, const view *y,
                       float *m, size_t mlen, float *cs, size_t cslen, ssim_result *out) {
    switch (k) {
    case KIND_U8: return ssim_map_u8(p, &x->u8, &y->u8, NULL, m, mlen, cs, cslen, out);
    case KIND_U16: return ssim_map_u16(p, &x->u16, &y->u16, NULL, m, mlen, cs, cslen, out);
    default: return ssim_map_f32(p, &x->f32, &y->f32, NULL, m, mlen, cs, cslen, out);
    }
}

static ssim_status scratch(enum kind k, const ssim_params *p, const view *x, const view *y,
                           void *s, size_t sbytes, float *m, size_t mlen, ssim_result *out) {
    switch (k) {
    case KIND_U8:
        return ssim_compute_u8_scratch(p, &x->u8, &y->u8, SSIM_BACKEND_AUTO, s, sbytes, m,
                                       mlen, NULL, 0, out);
    case KIND_U16:
        return ssim_compute_u16_scratch(p, &x->u16, &y->u16, SSIM_BACKEND_AUTO, s, sbytes, m,
                                        mlen, NULL, 0, out);
    default:
        return ssim_compute_f32_scratch(p, &x->f32, &y->f32, SSIM_BACKEND_AUTO, s, sbytes, m,
                                        mlen, NULL, 0, out);
    }
}

static ssim_status msssim(enum kind k, const ssim_msssim_params *p, const view *x,
                          const view *y, ssim_level *levels, size_t n, ssim_msssim_result *out) {
    switch (k) {
    case KIND_U8: return ssim_msssim_u8(p, &x->u8, &y->u8, NULL, levels, n, out);
    case KIND_U16: return ssim_msssim_u16(p, &x->u16, &y->u16, NULL, levels, n, out);
    default: return ssim_msssim_f32(p, &x->f32, &y->f32, NULL, levels, n, out);
    }
}

static void note(double *worst, double err) {
    if (err > *worst) *worst = err;
}

/* Splits `s` at `|` in place (empty fields kept). */
static size_t split(char *s, char **fields, size_t max) {
    size_t n = 0;
    fields[n++] = s;
    for (char *p = s; *p; p++) {
        if (*p == '|' && n < max) {
            *p = 0;
            fields[n++] = p + 1;
        }
    }
    return n;
}

static void path_join(char *out, size_t len, const char *dir, const char *file) {
    snprintf(out, len, "%s/%s", dir, file);
}

static void single_scale_case(const char *id, const char *config, double range, const image *x,
                              const image *y, double expected, const char *dir,
                              const char *map_file) {
    ssim_preset preset = strcmp(config, "gaussian11") == 0        ? SSIM_PRESET_WANG2004
                         : strcmp(config, "skimage_default") == 0 ? SSIM_PRESET_SCIKIT_IMAGE
                                                                  : SSIM_PRESET_MATLAB;
    ssim_params p;
    EXPECT_STATUS(SSIM_OK, ssim_params_from_preset(preset, range, &p));
    double sum = 0;
    for (size_t c = 0; c < x->channels; c++) {
        view vx = view_of(x, c), vy = view_of(y, c);
        ssim_result r, rs;
        ssim_status st = compute(x->kind, &p, &vx, &vy, NULL, &r);
        CHECK(st == SSIM_OK, "%s: compute returned %s", id, ssim_status_str(st));
        if (st != SSIM_OK) return;
        sum += r.ssim;

        /* The caller-scratch path at an odd address: same value, bit for bit. */
        size_t bytes = 0;
        EXPECT_STATUS(SSIM_OK, ssim_scratch_size(&p, x->width, false, &bytes));
        unsigned char *buf = malloc(bytes + 1);
        st = scratch(x->kind, &p, &vx, &vy, buf + 1, bytes, NULL, 0, &rs);
        CHECK(st == SSIM_OK && rs.ssim == r.ssim && rs.cs == r.cs && rs.count == r.count,
              "%s: scratch path %s, ssim %.17g vs %.17g", id, ssim_status_str(st), rs.ssim,
              r.ssim);
        free(buf);
    }
    double mean = sum / (double)x->channels, err = fabs(mean - expected);
    note(&worst_mean_err, err);
    CHECK(err <= MEAN_TOL, "%s: SSIM %.12f, expected %.12f (|diff| %.3g)", id, mean, expected,
          err);

    if (map_file[0] && x->channels == 1) {
        char path[4096];
        image ref_map;
        path_join(path, sizeof path, dir, map_file);
        if (!read_image(path, &ref_map)) {
            CHECK(0, "%s: cannot read map %s", id, path);
            return;
        }
        size_t mw = 0, mh = 0;
        EXPECT_STATUS(SSIM_OK, ssim_map_size(&p, x->width, x->height, &mw, &mh));
        CHECK(mw == ref_map.width && mh == ref_map.height, "%s: map %zux%zu, expected %zux%zu",
              id, mw, mh, ref_map.width, ref_map.height);
        if (mw == ref_map.width && mh == ref_map.height) {
            view vx = view_of(x, 0), vy = view_of(y, 0);
            float *m = malloc(mw * mh * sizeof *m), *cs = malloc(mw * mh * sizeof *cs);
            float *m2 = malloc(mw * mh * sizeof *m2);
            ssim_result r, r2;
            EXPECT_STATUS(SSIM_OK, map(x->kind, &p, &vx, &vy, m, mw * mh, cs, mw * mh, &r));
            double max_err = 0;
            for (size_t i = 0; i < mw * mh; i++) {
                double e = fabs((double)m[i] - (double)((float *)ref_map.data)[i]);
                if (!(e <= max_err)) max_err = e; /* NaN propagates */
            }
            note(&worst_map_err, max_err);
            CHECK(max_err <= MAP_TOL, "%s: map differs by %.3g", id, max_err);
            CHECK(fabs(r.ssim - sum) <= 1e-12, "%s: map mean %.17g vs %.17g", id, r.ssim, sum);
            /* The scratch path writes the same map. */
            size_t bytes = 0;
            EXPECT_STATUS(SSIM_OK, ssim_scratch_size(&p, x->width, true, &bytes));
            unsigned char *buf = malloc(bytes);
            EXPECT_STATUS(SSIM_OK,
                          scratch(x->kind, &p, &vx, &vy, buf, bytes, m2, mw * mh, &r2));
            CHECK(memcmp(m, m2, mw * mh * sizeof *m) == 0 && r2.ssim == r.ssim,
                  "%s: scratch map differs from the allocating map", id);
            free(buf);
            free(m);
            free(cs);
            free(m2);
        }
        image_free(&ref_map);
    }
}

static void msssim_case(const char *id, const char *config, double range, const image *x,
                        const image *y, double expected, char *scales) {
    ssim_msssim_preset preset = strcmp(config, "msssim_wang") == 0
                                    ? SSIM_MSSSIM_PRESET_WANG2003
                                    : SSIM_MSSSIM_PRESET_PYTORCH_MSSSIM;
    ssim_msssim_params p;
    EXPECT_STATUS(SSIM_OK, ssim_msssim_params_from_preset(preset, range, &p));
    double sum = 0;
    ssim_level levels[SSIM_MSSSIM_MAX_LEVELS];
    ssim_msssim_result r = {0, 0, 0};
    for (size_t c = 0; c < x->channels; c++) {
        view vx = view_of(x, c), vy = view_of(y, c);
        ssim_status st = msssim(x->kind, &p, &vx, &vy, levels, SSIM_MSSSIM_MAX_LEVELS, &r);
        CHECK(st == SSIM_OK, "%s: msssim returned %s", id, ssim_status_str(st));
        if (st != SSIM_OK) return;
        sum += r.msssim;
    }
    double mean = sum / (double)x->channels, err = fabs(mean - expected);
    note(&worst_mean_err, err);
    CHECK(err <= MEAN_TOL, "%s: MS-SSIM %.12f, expected %.12f (|diff| %.3g)", id, mean,
          expected, err);
    if (!scales[0] || x->channels != 1) return;
    /* Per-level means of the last (only) channel against the reference's scales. */
    size_t n = 0;
    for (char *tok = strtok(scales, ","); tok; tok = strtok(NULL, ","), n++) {
        size_t w, h;
        double s, cs;
        if (sscanf(tok, "%zu:%zu:%lf:%lf", &w, &h, &s, &cs) != 4 || n >= r.levels) {
            CHECK(0, "%s: bad scale spec or too few levels (%u)", id, r.levels);
            return;
        }
        double e = fmax(fabs(levels[n].ssim - s), fabs(levels[n].cs - cs));
        note(&worst_level_err, e);
        CHECK(levels[n].width == w && levels[n].height == h && e <= MEAN_TOL,
              "%s: level %zu is %zux%zu ssim %.12f cs %.12f, expected %zux%zu %.12f %.12f", id,
              n + 1, levels[n].width, levels[n].height, levels[n].ssim, levels[n].cs, w, h, s,
              cs);
    }
    CHECK(n == r.levels, "%s: %u levels, expected %zu", id, r.levels, n);
}

/* FFmpeg's ssim filter (testdata/ffmpeg_cases.json): every channel, on the default and the
 * scalar backend; colour is the mean of the channels (FFmpeg's All with equal areas). */
static void ffmpeg_case(const char *id, double range, const image *x, const image *y,
                        double expected) {
    unsigned bits = 0;
    while (bits < 16 && (double)((1u << bits) - 1) < range) bits++;
    ssim_config scalar = {SSIM_BACKEND_SCALAR, 0};
    const ssim_config *configs[2] = {NULL, &scalar};
    for (int k = 0; k < 2; k++) {
        double sum = 0;
        for (size_t c = 0; c < x->channels; c++) {
            view vx = view_of(x, c), vy = view_of(y, c);
            double v = -1;
            ssim_status st = x->kind == KIND_U8
                                 ? ssim_ffmpeg_u8(&vx.u8, &vy.u8, configs[k], &v)
                                 : ssim_ffmpeg_u16(&vx.u16, &vy.u16, bits, configs[k], &v);
            CHECK(st == SSIM_OK, "%s: ssim_ffmpeg channel %zu: %s", id, c, ssim_status_str(st));
            sum += v;
        }
        double v = sum / (double)x->channels, err = fabs(v - expected);
        if (err > worst_mean_err) worst_mean_err = err;
        CHECK(err <= MEAN_TOL, "%s: ssim_ffmpeg %.9f, reference %.9f", id, v, expected);
    }
}

static void run_case(const char *dir, char *spec) {
    char *f[9];
    if (split(spec, f, 9) != 9) {
        CHECK(0, "bad case spec %s", spec);
        return;
    }
    const char *id = f[0], *config = f[2];
    double range = strtod(f[3], NULL), expected = strtod(f[6], NULL);
    char px[4096], py[4096];
    image x, y;
    path_join(px, sizeof px, dir, f[4]);
    path_join(py, sizeof py, dir, f[5]);
    if (!read_image(px, &x)) {
        CHECK(0, "%s: cannot read %s", id, px);
        return;
    }
    if (!read_image(py, &y)) {
        CHECK(0, "%s: cannot read %s", id, py);
        image_free(&x);
        return;
    }
    if (strcmp(config, "ffmpeg_ssim") == 0)
        ffmpeg_case(id, range, &x, &y, expected);
    else if (strncmp(config, "msssim", 6) == 0)
        msssim_case(id, config, range, &x, &y, expected, f[8]);
    else
        single_scale_case(id, config, range, &x, &y, expected, dir, f[7]);
    image_free(&x);
    image_free(&y);
}

/* ---------------------------------------------------------- bad arguments -- */

enum { W = 40, H = 30 };
static uint8_t gx[W * H], gy[W * H];

static void fill(void) {
    for (int i = 0; i < W * H; i++) {
        gx[i] = (uint8_t)((i * 37 + (i / W) * 11) % 251);
        gy[i] = (uint8_t)(gx[i] / 2 + 40);
    }
}

static void test_versions_and_strings(void) {
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", SSIM_VERSION_MAJOR, SSIM_VERSION_MINOR,
             SSIM_VERSION_PATCH);
    CHECK(strcmp(ssim_version(), want) == 0, "ssim_version() %s, header says %s",
          ssim_version(), want);
    CHECK(ssim_version_major() == SSIM_VERSION_MAJOR &&
              ssim_version_minor() == SSIM_VERSION_MINOR &&
              ssim_version_patch() == SSIM_VERSION_PATCH,
          "run-time version numbers differ from the header");
    for (ssim_status s = 0; s < SSIM_STATUS_COUNT; s++) {
        const char *str = ssim_status_str(s);
        CHECK(str && str[0] && strcmp(str, "unknown status") != 0, "status %d has no string",
              (int)s);
        for (ssim_status t = 0; t < s; t++)
            CHECK(strcmp(str, ssim_status_str(t)) != 0, "statuses %d and %d share a string",
                  (int)s, (int)t);
    }
    CHECK(strcmp(ssim_status_str(-1), "unknown status") == 0, "status -1");
    CHECK(strcmp(ssim_status_str(SSIM_STATUS_COUNT), "unknown status") == 0, "status count");
    CHECK(strcmp(ssim_status_str(SSIM_OK), "ok") == 0, "status 0 is ok");
}

static void test_backends(void) {
    ssim_backend d = ssim_backend_detect();
    CHECK(d != SSIM_BACKEND_AUTO && ssim_backend_is_supported(d), "detect gives %u", d);
    CHECK(ssim_backend_is_supported(SSIM_BACKEND_AUTO), "auto is supported");
    CHECK(ssim_backend_is_supported(SSIM_BACKEND_SCALAR), "scalar is supported");
    CHECK(!ssim_backend_is_supported(77), "id 77 is not supported");
    CHECK(strcmp(ssim_backend_name(SSIM_BACKEND_SCALAR), "scalar") == 0, "scalar name");
    CHECK(strcmp(ssim_backend_name(SSIM_BACKEND_AUTO), "auto") == 0, "auto name");
    CHECK(strcmp(ssim_backend_name(1000), "unknown") == 0, "unknown name");

    ssim_params p;
    ssim_params_from_preset(SSIM_PRESET_WANG2004, 255, &p);
    ssim_image_u8 x = {gx, W, H, W, 1}, y = {gy, W, H, W, 1};
    ssim_result ref, r;
    EXPECT_STATUS(SSIM_OK, ssim_compute_u8(&p, &x, &y, NULL, &ref));
    CHECK(ref.backend == d, "auto ran backend %u, detect says %u", ref.backend, d);
    ssim_backend ids[] = {SSIM_BACKEND_SCALAR, SSIM_BACKEND_PORTABLE, SSIM_BACKEND_AVX2,
                          SSIM_BACKEND_AVX512, SSIM_BACKEND_NEON};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        ssim_config cfg = {ids[i], 0};
        ssim_status st = ssim_compute_u8(&p, &x, &y, &cfg, &r);
        if (ssim_backend_is_supported(ids[i])) {
            CHECK(st == SSIM_OK && r.backend == ids[i] && fabs(r.ssim - ref.ssim) <= 1e-6,
                  "forced %s: %s, ran %u, %.12f vs %.12f", ssim_backend_name(ids[i]),
                  ssim_status_str(st), r.backend, r.ssim, ref.ssim);
            printf("backend %-8s supported: SSIM %.12f (|diff to auto| %.3g)\n",
                   ssim_backend_name(ids[i]), r.ssim, fabs(r.ssim - ref.ssim));
        } else {
            CHECK(st == SSIM_ERROR_BACKEND_UNSUPPORTED, "forced unsupported %s: %s",
                  ssim_backend_name(ids[i]), ssim_status_str(st));
            printf("backend %-8s not supported here: SSIM_ERROR_BACKEND_UNSUPPORTED\n",
                   ssim_backend_name(ids[i]));
        }
    }
    ssim_config bad = {77, 0};
    EXPECT_STATUS(SSIM_ERROR_BACKEND_UNSUPPORTED, ssim_compute_u8(&p, &x, &y, &bad, &r));
    size_t bytes;
    ssim_scratch_size(&p, W, false, &bytes);
    void *s = malloc(bytes);
    EXPECT_STATUS(SSIM_ERROR_BACKEND_UNSUPPORTED,
                  ssim_compute_u8_scratch(&p, &x, &y, 77, s, bytes, NULL, 0, NULL, 0, &r));
    EXPECT_STATUS(SSIM_OK, ssim_compute_u8_scratch(&p, &x, &y, SSIM_BACKEND_SCALAR, s, bytes,
                                                   NULL, 0, NULL, 0, &r));
    CHECK(r.backend == SSIM_BACKEND_SCALAR, "scratch path forced scalar ran %u", r.backend);
    free(s);

    /* Threads never change the value. */
    for (uint32_t t = 1; t <= 7; t += 3) {
        ssim_config cfg = {SSIM_BACKEND_AUTO, t};
        EXPECT_STATUS(SSIM_OK, ssim_compute_u8(&p, &x, &y, &cfg, &r));
        CHECK(r.ssim == ref.ssim && r.cs == ref.cs, "threads %u: %.17g vs %.17g", t, r.ssim,
              ref.ssim);
    }
}

static void test_params(void) {
    ssim_params p, q;
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_params_from_preset(SSIM_PRESET_WANG2004, 255, NULL));
    EXPECT_STATUS(SSIM_ERROR_INVALID_PARAMETER, ssim_params_from_preset(99, 255, &p));
    EXPECT_STATUS(SSIM_ERROR_INVALID_PARAMETER, ssim_params_from_preset(0, 0.0, &p));
    EXPECT_STATUS(SSIM_ERROR_INVALID_PARAMETER, ssim_params_from_preset(0, -1.0, &p));
    EXPECT_STATUS(SSIM_ERROR_INVALID_PARAMETER, ssim_params_from_preset(0, NAN, &p));
    EXPECT_STATUS(SSIM_ERROR_INVALID_PARAMETER, ssim_params_from_preset(0, INFINITY, &p));
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_params_validate(NULL));

    EXPECT_STATUS(SSIM_OK, ssim_params_from_preset(SSIM_PRESET_WANG2004, 255, &p));
    CHECK(p.preset == SSIM_PRESET_WANG2004 && p.window == SSIM_WINDOW_GAUSSIAN &&
              p.radius == 5 && p.sigma == 1.5 && p.k1 == 0.01 && p.k2 == 0.03 &&
              p.data_range == 255 && p.covariance == SSIM_COVARIANCE_POPULATION &&
              p.pooling == SSIM_POOLING_VALID && p.map_padding == SSIM_PADDING_NONE,
          "wang2004 fields");
    EXPECT_STATUS(SSIM_OK, ssim_params_from_preset(SSIM_PRESET_SCIKIT_IMAGE, 1.0, &q));
    CHECK(q.window == SSIM_WINDOW_BOX && q.box_size == 7 &&
              q.covariance == SSIM_COVARIANCE_SAMPLE && q.map_padding == SSIM_PADDING_REFLECT,
          "scikit-image fields");
    EXPECT_STATUS(SSIM_OK, ssim_params_from_preset(SSIM_PRESET_MATLAB, 1.0, &q));
    CHECK(q.pooling == SSIM_POOLING_SAME && q.padding == SSIM_PADDING_REPLICATE, "matlab");
    EXPECT_STATUS(SSIM_OK, ssim_params_validate(&p));

    /* Every field out of its domain, one at a time, through validate and compute. */
    ssim_image_u8 x = {gx, W, H, W, 1}, y = {gy, W, H, W, 1};
    ssim_result r;
    struct {
        const char *what;
        ssim_params p;
    } bad[20];
    size_t n = 0;
#define BAD(label, stmt)                                                                       \
    do {                                                                                       \
        bad[n].what = label;                                                                   \
        bad[n].p = p;                                                                          \
        ssim_params *b_ = &bad[n].p;                                                           \
        stmt;                                                                                  \
        n++;                                                                                   \
    } while (0)
    BAD("window 7", b_->window = 7);
    BAD("radius 0", b_->radius = 0);
    BAD("radius 64", b_->radius = 64);
    BAD("sigma 0", b_->sigma = 0);
    BAD("sigma NaN", b_->sigma = NAN);
    BAD("box 6", (b_->window = SSIM_WINDOW_BOX, b_->box_size = 6));
    BAD("box 1", (b_->window = SSIM_WINDOW_BOX, b_->box_size = 1));
    BAD("k1 0", b_->k1 = 0);
    BAD("k2 -0.03", b_->k2 = -0.03);
    BAD("k1 inf", b_->k1 = INFINITY);
    BAD("range 0", b_->data_range = 0);
    BAD("range NaN", b_->data_range = NAN);
    BAD("range 1e300", b_->data_range = 1e300);
    BAD("covariance 2", b_->covariance = 2);
    BAD("pooling 2", b_->pooling = 2);
    BAD("same + padding none", (b_->pooling = SSIM_POOLING_SAME, b_->padding = SSIM_PADDING_NONE));
    BAD("same + padding 9", (b_->pooling = SSIM_POOLING_SAME, b_->padding = 9));
    BAD("map padding 4", b_->map_padding = 4);
#undef BAD
    for (size_t i = 0; i < n; i++) {
        ssim_status st = ssim_params_validate(&bad[i].p);
        CHECK(st == SSIM_ERROR_INVALID_PARAMETER, "validate(%s): %s", bad[i].what,
              ssim_status_str(st));
        st = ssim_compute_u8(&bad[i].p, &x, &y, NULL, &r);
        CHECK(st == SSIM_ERROR_INVALID_PARAMETER, "compute(%s): %s", bad[i].what,
              ssim_status_str(st));
        size_t bytes;
        st = ssim_scratch_size(&bad[i].p, W, false, &bytes);
        CHECK(st == SSIM_ERROR_INVALID_PARAMETER, "scratch_size(%s): %s", bad[i].what,
              ssim_status_str(st));
    }
    /* Custom but valid: a 9x9 box with population covariance and mirror-padded same pooling. */
    q = p;
    q.preset = SSIM_PRESET_CUSTOM;
    q.window = SSIM_WINDOW_BOX;
    q.box_size = 9;
    q.pooling = SSIM_POOLING_SAME;
    q.padding = SSIM_PADDING_MIRROR;
    EXPECT_STATUS(SSIM_OK, ssim_compute_u8(&q, &x, &y, NULL, &r));
    CHECK(r.count == W * H && r.ssim > 0 && r.ssim < 1, "custom params: %.6f over %llu",
          r.ssim, (unsigned long long)r.count);
}

static void test_images(void) {
    ssim_params p;
    ssim_params_from_preset(SSIM_PRESET_WANG2004, 255, &p);
    ssim_image_u8 x = {gx, W, H, W, 1}, y = {gy, W, H, W, 1}, b;
    ssim_result r, untouched = {-7, -7, 7, 7};

    r = untouched;
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_compute_u8(NULL, &x, &y, NULL, &r));
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_compute_u8(&p, NULL, &y, NULL, &r));
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_compute_u8(&p, &x, NULL, NULL, &r));
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_compute_u8(&p, &x, &y, NULL, NULL));
    b = x, b.data = NULL;
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_compute_u8(&p, &b, &y, NULL, &r));
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_compute_u8(&p, &x, &b, NULL, &r));
    b = x, b.width = 0;
    EXPECT_STATUS(SSIM_ERROR_ZERO_DIMENSION, ssim_compute_u8(&p, &b, &y, NULL, &r));
    b = x, b.height = 0;
    EXPECT_STATUS(SSIM_ERROR_ZERO_DIMENSION, ssim_compute_u8(&p, &x, &b, NULL, &r));
    b = x, b.stride = W - 1;
    EXPECT_STATUS(SSIM_ERROR_STRIDE_TOO_SHORT, ssim_compute_u8(&p, &b, &y, NULL, &r));
    b = x, b.stride = 0;
    EXPECT_STATUS(SSIM_ERROR_STRIDE_TOO_SHORT, ssim_compute_u8(&p, &x, &b, NULL, &r));
    b = x, b.step = 0;
    EXPECT_STATUS(SSIM_ERROR_CHANNEL_STEP, ssim_compute_u8(&p, &b, &y, NULL, &r));
    b = x, b.width = W / 2, b.step = 2, b.stride = W - 2; /* needs (W/2-1)*2+1 = W-1 */
    EXPECT_STATUS(SSIM_ERROR_STRIDE_TOO_SHORT, ssim_compute_u8(&p, &b, &b, NULL, &r));
    b = x, b.width = SIZE_MAX, b.stride = SIZE_MAX;
    EXPECT_STATUS(SSIM_ERROR_DIMENSION_OVERFLOW, ssim_compute_u8(&p, &b, &b, NULL, &r));
    b = x, b.stride = SIZE_MAX / 2;
    EXPECT_STATUS(SSIM_ERROR_DIMENSION_OVERFLOW, ssim_compute_u8(&p, &b, &b, NULL, &r));
    b = x, b.step = SIZE_MAX / 4, b.stride = SIZE_MAX;
    EXPECT_STATUS(SSIM_ERROR_DIMENSION_OVERFLOW, ssim_compute_u8(&p, &b, &b, NULL, &r));
    b = x, b.width = W - 1;
    EXPECT_STATUS(SSIM_ERROR_SIZE_MISMATCH, ssim_compute_u8(&p, &b, &y, NULL, &r));
    b = x, b.height = H - 1;
    EXPECT_STATUS(SSIM_ERROR_SIZE_MISMATCH, ssim_compute_u8(&p, &x, &b, NULL, &r));
    CHECK(memcmp(&r, &untouched, sizeof r) == 0, "a failed call wrote its result");
    b = x, b.width = W / 2, b.step = 2, b.stride = W - 1; /* every other pixel */
    EXPECT_STATUS(SSIM_OK, ssim_compute_u8(&p, &b, &b, NULL, &r));

    /* Smaller than the 11x11 window: valid pooling refuses, MATLAB's same pooling accepts. */
    ssim_image_u8 s = {gx, 10, 10, W, 1}, t = {gy, 10, 10, W, 1};
    EXPECT_STATUS(SSIM_ERROR_IMAGE_SMALLER_THAN_WINDOW, ssim_compute_u8(&p, &s, &t, NULL, &r));
    s.width = t.width = 11;
    EXPECT_STATUS(SSIM_ERROR_IMAGE_SMALLER_THAN_WINDOW, ssim_compute_u8(&p, &s, &t, NULL, &r));
    s.width = t.width = 11, s.height = t.height = 11;
    EXPECT_STATUS(SSIM_OK, ssim_compute_u8(&p, &s, &t, NULL, &r));
    CHECK(r.count == 1, "11x11 pools one pixel, got %llu", (unsigned long long)r.count);
    ssim_params m;
    ssim_params_from_preset(SSIM_PRESET_MATLAB, 255, &m);
    s.width = t.width = 3, s.height = t.height = 2;
    EXPECT_STATUS(SSIM_OK, ssim_compute_u8(&m, &s, &t, NULL, &r));
    CHECK(r.count == 6, "3x2 same pooling counts 6, got %llu", (unsigned long long)r.count);
    size_t bytes;
    EXPECT_STATUS(SSIM_ERROR_IMAGE_SMALLER_THAN_WINDOW, ssim_scratch_size(&p, 10, false, &bytes));

    /* uint16_t and float: alignment, NaN and infinity. */
    uint16_t *x16 = malloc((W * H + 1) * sizeof *x16);
    float *xf = malloc((W * H + 1) * sizeof *xf), *yf = malloc(W * H * sizeof *yf);
    for (int i = 0; i < W * H; i++) {
        x16[i] = (uint16_t)(gx[i] * 257);
        xf[i] = gx[i] / 255.0f;
        yf[i] = gy[i] / 255.0f;
    }
    ssim_image_u16 a16 = {x16, W, H, W, 1}, m16 = a16;
    ssim_params p16;
    ssim_params_from_preset(SSIM_PRESET_WANG2004, 65535, &p16);
    EXPECT_STATUS(SSIM_OK, ssim_compute_u16(&p16, &a16, &a16, NULL, &r));
    CHECK(fabs(r.ssim - 1.0) <= 1e-6, "SSIM(x, x) = %.17g, expected 1", r.ssim);
    printf("SSIM(x, x), uint16_t, backend %s: 1 - %.3g\n", ssim_backend_name(r.backend),
           1.0 - r.ssim);
    m16.data = (const uint16_t *)(const void *)((const char *)x16 + 1);
    EXPECT_STATUS(SSIM_ERROR_MISALIGNED_POINTER, ssim_compute_u16(&p16, &m16, &a16, NULL, &r));
    ssim_image_f32 af = {xf, W, H, W, 1}, bf = {yf, W, H, W, 1}, mf = af;
    ssim_params pf;
    ssim_params_from_preset(SSIM_PRESET_WANG2004, 1.0, &pf);
    EXPECT_STATUS(SSIM_OK, ssim_compute_f32(&pf, &af, &bf, NULL, &r));
    mf.data = (const float *)(const void *)((const char *)xf + 2);
    EXPECT_STATUS(SSIM_ERROR_MISALIGNED_POINTER, ssim_compute_f32(&pf, &mf, &bf, NULL, &r));
    yf[7 * W + 3] = NAN;
    EXPECT_STATUS(SSIM_ERROR_NON_FINITE_SAMPLE, ssim_compute_f32(&pf, &af, &bf, NULL, &r));
    char msg[256];
    ssim_last_error_message(msg, sizeof msg);
    CHECK(strstr(msg, "row 7, column 3") != NULL, "NaN message: %s", msg);
    yf[7 * W + 3] = INFINITY;
    EXPECT_STATUS(SSIM_ERROR_NON_FINITE_SAMPLE, ssim_compute_f32(&pf, &af, &bf, NULL, &r));
    yf[7 * W + 3] = -INFINITY;
    EXPECT_STATUS(SSIM_ERROR_NON_FINITE_SAMPLE, ssim_compute_f32(&pf, &af, &bf, NULL, &r));
    free(x16);
    free(xf);
    free(yf);

    /* Messages: what was wrong and what was expected; cut like snprintf. */
    b = x, b.stride = W - 1;
    EXPECT_STATUS(SSIM_ERROR_STRIDE_TOO_SHORT, ssim_compute_u8(&p, &b, &y, NULL, &r));
    size_t len = ssim_last_error_message(NULL, 0);
    ssim_last_error_message(msg, sizeof msg);
    CHECK(len == strlen(msg) && strstr(msg, "stride 39") && strstr(msg, "at least 40"),
          "stride message (%zu): %s", len, msg);
    char small[8];
    CHECK(ssim_last_error_message(small, sizeof small) == len && strlen(small) == 7,
          "cut message: %s", small);
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_compute_u8(&p, &x, &y, NULL, NULL));
    ssim_last_error_message(msg, sizeof msg);
    CHECK(strstr(msg, "`out` is NULL") != NULL, "null message: %s", msg);
    EXPECT_STATUS(SSIM_OK, ssim_compute_u8(&p, &x, &y, NULL, &r));
    CHECK(ssim_last_error_message(msg, sizeof msg) == 0 && msg[0] == 0,
          "message after success: %s", msg);
}

static void test_maps_and_scratch(void) {
    ssim_params p, sk;
    ssim_params_from_preset(SSIM_PRESET_WANG2004, 255, &p);
    ssim_params_from_preset(SSIM_PRESET_SCIKIT_IMAGE, 255, &sk);
    ssim_image_u8 x = {gx, W, H, W, 1}, y = {gy, W, H, W, 1};
    ssim_result r, r2;
    size_t mw, mh;
    EXPECT_STATUS(SSIM_OK, ssim_map_size(&p, W, H, &mw, &mh));
    CHECK(mw == W - 10 && mh == H - 10, "valid map %zux%zu", mw, mh);
    EXPECT_STATUS(SSIM_OK, ssim_map_size(&sk, W, H, &mw, &mh));
    CHECK(mw == W && mh == H, "scikit-image map %zux%zu", mw, mh);
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_map_size(NULL, W, H, &mw, &mh));
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_map_size(&p, W, H, NULL, &mh));
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_map_size(&p, W, H, &mw, NULL));
    EXPECT_STATUS(SSIM_ERROR_ZERO_DIMENSION, ssim_map_size(&p, 0, H, &mw, &mh));
    EXPECT_STATUS(SSIM_ERROR_IMAGE_SMALLER_THAN_WINDOW, ssim_map_size(&p, 5, H, &mw, &mh));

    float *m = malloc(W * H * sizeof *m), *cs = malloc(W * H * sizeof *cs);
    ssim_map_size(&p, W, H, &mw, &mh);
    size_t n = mw * mh;
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_map_u8(&p, &x, &y, NULL, NULL, n, cs, n, &r));
    EXPECT_STATUS(SSIM_ERROR_MAP_TOO_SMALL, ssim_map_u8(&p, &x, &y, NULL, m, n - 1, NULL, 0, &r));
    EXPECT_STATUS(SSIM_ERROR_MAP_TOO_SMALL, ssim_map_u8(&p, &x, &y, NULL, m, n, cs, n - 1, &r));
    EXPECT_STATUS(SSIM_ERROR_MISALIGNED_POINTER,
                  ssim_map_u8(&p, &x, &y, NULL, (float *)(void *)((char *)m + 1), n, NULL, 0, &r));
    EXPECT_STATUS(SSIM_OK, ssim_map_u8(&p, &x, &y, NULL, m, n, cs, n, NULL));
    EXPECT_STATUS(SSIM_OK, ssim_map_u8(&p, &x, &y, NULL, m, n, cs, n, &r));
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += m[i];
    CHECK(fabs(sum / (double)n - r.ssim) < 1e-6, "map mean %.9f vs %.9f", sum / (double)n,
          r.ssim);

    /* Scratch: size, NULL, too small by one byte, map-sized vs mean-sized. */
    size_t bytes = 0, bytes_map = 0;
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_scratch_size(NULL, W, false, &bytes));
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_scratch_size(&p, W, false, NULL));
    EXPECT_STATUS(SSIM_ERROR_ZERO_DIMENSION, ssim_scratch_size(&p, 0, false, &bytes));
    EXPECT_STATUS(SSIM_OK, ssim_scratch_size(&p, W, false, &bytes));
    CHECK(bytes > 0 && bytes % 64 == 63, "scratch %zu bytes (whole blocks + 63)", bytes);
    unsigned char *s = malloc(bytes + 64);
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_compute_u8_scratch(&p, &x, &y, 0, NULL, bytes,
                                                                   NULL, 0, NULL, 0, &r));
    EXPECT_STATUS(SSIM_ERROR_SCRATCH_TOO_SMALL,
                  ssim_compute_u8_scratch(&p, &x, &y, 0, s, bytes - 1, NULL, 0, NULL, 0, &r));
    EXPECT_STATUS(SSIM_ERROR_SCRATCH_TOO_SMALL,
                  ssim_compute_u8_scratch(&p, &x, &y, 0, s, 0, NULL, 0, NULL, 0, &r));
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER,
                  ssim_compute_u8_scratch(&p, &x, &y, 0, s, bytes, NULL, 0, NULL, 0, NULL));
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER,
                  ssim_compute_u8_scratch(&p, &x, &y, 0, s, bytes, NULL, 0, cs, n, &r));
    EXPECT_STATUS(SSIM_ERROR_MAP_TOO_SMALL,
                  ssim_compute_u8_scratch(&p, &x, &y, 0, s, bytes, m, n - 1, NULL, 0, &r));
    for (size_t off = 0; off < 64; off += 7) {
        EXPECT_STATUS(SSIM_OK, ssim_compute_u8_scratch(&p, &x, &y, 0, s + off, bytes, NULL, 0,
                                                       NULL, 0, &r2));
        CHECK(r2.ssim == r.ssim, "scratch at offset %zu: %.17g vs %.17g", off, r2.ssim, r.ssim);
    }
    /* The engine computes whole 16-column groups: at 34 columns the valid map (28 -> 32
     * columns) and the full-size map (34 -> 48) of the 7x7 box need different scratch (at 40
     * both round to 48). A narrower view of the same samples. */
    enum { WS = 34 };
    ssim_image_u8 xs = x, ys = y;
    xs.width = ys.width = WS;
    EXPECT_STATUS(SSIM_OK, ssim_scratch_size(&sk, WS, false, &bytes));
    EXPECT_STATUS(SSIM_OK, ssim_scratch_size(&sk, WS, true, &bytes_map));
    CHECK(bytes_map > bytes, "a padded map needs more scratch (%zu vs %zu)", bytes_map, bytes);
    free(s);
    s = malloc(bytes_map);
    EXPECT_STATUS(SSIM_ERROR_SCRATCH_TOO_SMALL,
                  ssim_compute_u8_scratch(&sk, &xs, &ys, 0, s, bytes, m, WS * H, NULL, 0, &r));
    EXPECT_STATUS(SSIM_OK, ssim_compute_u8_scratch(&sk, &xs, &ys, 0, s, bytes_map, m, WS * H, cs,
                                                   WS * H, &r));
    EXPECT_STATUS(SSIM_OK, ssim_compute_u8_scratch(&sk, &xs, &ys, 0, s, bytes, NULL, 0, NULL, 0,
                                                   &r2));
    CHECK(r.ssim == r2.ssim, "scikit-image mean with and without map");
    free(s);
    free(m);
    free(cs);
}

/* Anti-correlated images: negative cs at the finest level. */
static void test_msssim_args(void) {
    enum { MW = 176, MH = 170 };
    uint8_t *a = malloc(MW * MH), *b = malloc(MW * MH);
    for (int i = 0; i < MW * MH; i++) {
        int r = i / MW, c = i % MW;
        a[i] = (uint8_t)(((r / 3 + c / 2) % 2) * 200 + (r * c) % 40);
        b[i] = (uint8_t)(255 - a[i]);
    }
    ssim_msssim_params p;
    ssim_msssim_result r, untouched = {-1, 99, 99};
    ssim_level lv[SSIM_MSSSIM_MAX_LEVELS];
    ssim_image_u8 x = {a, MW, MH, MW, 1}, y = {b, MW, MH, MW, 1};
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER,
                  ssim_msssim_params_from_preset(SSIM_MSSSIM_PRESET_WANG2003, 255, NULL));
    EXPECT_STATUS(SSIM_ERROR_INVALID_PARAMETER, ssim_msssim_params_from_preset(7, 255, &p));
    EXPECT_STATUS(SSIM_ERROR_INVALID_PARAMETER, ssim_msssim_params_from_preset(0, NAN, &p));
    EXPECT_STATUS(SSIM_OK, ssim_msssim_params_from_preset(SSIM_MSSSIM_PRESET_WANG2003, 255, &p));
    CHECK(p.levels == 5 && p.weights[0] == 0.0448 && p.weights[4] == 0.1333 &&
              p.downsample == SSIM_DOWNSAMPLE_WANG2003 && p.negative == SSIM_NEGATIVE_RELU &&
              !p.auto_levels && p.ssim.radius == 5,
          "wang2003 fields");

    r = untouched;
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_msssim_u8(NULL, &x, &y, NULL, lv, 16, &r));
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_msssim_u8(&p, NULL, &y, NULL, lv, 16, &r));
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_msssim_u8(&p, &x, &y, NULL, lv, 16, NULL));
    EXPECT_STATUS(SSIM_ERROR_LEVELS_TOO_SMALL, ssim_msssim_u8(&p, &x, &y, NULL, lv, 4, &r));
    CHECK(memcmp(&r, &untouched, sizeof r) == 0, "a failed MS-SSIM call wrote its result");
    EXPECT_STATUS(SSIM_OK, ssim_msssim_u8(&p, &x, &y, NULL, NULL, 0, &r));
    CHECK(r.levels == 5 && r.msssim == 0.0, "relu on negative cs: %.6f (%u levels)", r.msssim,
          r.levels);

    ssim_msssim_params q = p;
    q.negative = SSIM_NEGATIVE_STRICT;
    EXPECT_STATUS(SSIM_ERROR_NEGATIVE_MEAN, ssim_msssim_u8(&q, &x, &y, NULL, lv, 16, &r));
    q.negative = SSIM_NEGATIVE_NAN;
    EXPECT_STATUS(SSIM_OK, ssim_msssim_u8(&q, &x, &y, NULL, lv, 16, &r));
    CHECK(isnan(r.msssim), "nan policy gives %.6f", r.msssim);
    CHECK(lv[0].cs < 0 && lv[0].width == MW && lv[0].height == MH && lv[4].width == 11,
          "level 1 cs %.6f (%zux%zu), level 5 %zux%zu", lv[0].cs, lv[0].width, lv[0].height,
          lv[4].width, lv[4].height);

    struct {
        const char *what;
        ssim_msssim_params p;
    } bad[8];
    size_t n = 0;
#define BAD(label, stmt)                                                                       \
    do {                                                                                       \
        bad[n].what = label;                                                                   \
        bad[n].p = p;                                                                          \
        ssim_msssim_params *b_ = &bad[n].p;                                                    \
        stmt;                                                                                  \
        n++;                                                                                   \
    } while (0)
    BAD("levels 0", b_->levels = 0);
    BAD("levels 17", b_->levels = SSIM_MSSSIM_MAX_LEVELS + 1);
    BAD("weight -1", b_->weights[2] = -1);
    BAD("weight NaN", b_->weights[0] = NAN);
    BAD("downsample 2", b_->downsample = 2);
    BAD("negative 4", b_->negative = 4);
    BAD("ssim.k2 0", b_->ssim.k2 = 0);
    BAD("ssim.window 3", b_->ssim.window = 3);
#undef BAD
    for (size_t i = 0; i < n; i++) {
        ssim_status st = ssim_msssim_u8(&bad[i].p, &x, &y, NULL, lv, 16, &r);
        CHECK(st == SSIM_ERROR_INVALID_PARAMETER, "msssim(%s): %s", bad[i].what,
              ssim_status_str(st));
    }

    /* 160 pixels is one short of 5 levels of an 11-tap window; auto_levels takes 4. */
    ssim_image_u8 s = {a, 160, MH, MW, 1}, t = {b, 160, MH, MW, 1};
    EXPECT_STATUS(SSIM_ERROR_TOO_SMALL_FOR_MSSSIM, ssim_msssim_u8(&p, &s, &t, NULL, lv, 16, &r));
    q = p;
    q.auto_levels = true;
    EXPECT_STATUS(SSIM_OK, ssim_msssim_u8(&q, &s, &t, NULL, lv, 16, &r));
    CHECK(r.levels == 4, "auto levels on 160 px: %u", r.levels);
    q.levels = 3;
    EXPECT_STATUS(SSIM_OK, ssim_msssim_u8(&q, &s, &s, NULL, lv, 3, &r));
    CHECK(r.levels == 3 && fabs(r.msssim - 1.0) <= 1e-6, "3 levels of x vs x: %.17g",
          r.msssim);

    /* Threads never change the value. */
    ssim_msssim_result r1, r4;
    ssim_config one = {0, 1}, four = {0, 4};
    y.data = a + 1;
    y.width = x.width = MW - 1;
    EXPECT_STATUS(SSIM_OK, ssim_msssim_u8(&p, &x, &y, &one, NULL, 0, &r1));
    EXPECT_STATUS(SSIM_OK, ssim_msssim_u8(&p, &x, &y, &four, NULL, 0, &r4));
    CHECK(r1.msssim == r4.msssim && r1.msssim > 0 && r1.msssim < 1,
          "MS-SSIM with 1 and 4 threads: %.17g vs %.17g", r1.msssim, r4.msssim);
    free(a);
    free(b);
}

/* Layouts: the distorted image as one channel of packed RGB with padded rows gives the same
 * value as the plain plane. */
static void test_layouts(void) {
    enum { PAD = 5 };
    size_t stride = 3 * W + PAD;
    uint8_t *rgb = calloc(stride * H, 1);
    for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++) rgb[r * stride + 3 * c + 1] = gy[r * W + c];
    ssim_params p;
    ssim_params_from_preset(SSIM_PRESET_SCIKIT_IMAGE, 255, &p);
    ssim_image_u8 x = {gx, W, H, W, 1}, y = {gy, W, H, W, 1}, g = {rgb + 1, W, H, stride, 3};
    ssim_result a, b;
    EXPECT_STATUS(SSIM_OK, ssim_compute_u8(&p, &x, &y, NULL, &a));
    EXPECT_STATUS(SSIM_OK, ssim_compute_u8(&p, &x, &g, NULL, &b));
    CHECK(a.ssim == b.ssim && a.cs == b.cs, "green channel of RGB: %.17g vs %.17g", b.ssim,
          a.ssim);
    g.stride = 3 * W - 3; /* one sample short of (W - 1) * 3 + 1 */
    EXPECT_STATUS(SSIM_ERROR_STRIDE_TOO_SHORT, ssim_compute_u8(&p, &x, &g, NULL, &b));
    free(rgb);
}

/* Concurrent calls from several threads: same values, and each thread keeps its own last
 * error message. */
typedef struct {
    int index;
    double ssim, scratch_ssim;
    int ok;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    ssim_params p;
    ssim_params_from_preset(SSIM_PRESET_WANG2004, 255, &p);
    ssim_image_u8 x = {gx, W, H, W, 1}, y = {gy, W, H, W, 1}, bad = x;
    ssim_result r;
    size_t bytes;
    char msg[256];
    w->ok = 1;
    for (int i = 0; i < 20; i++) {
        w->ok &= ssim_compute_u8(&p, &x, &y, NULL, &r) == SSIM_OK;
        w->ssim = r.ssim;
        w->ok &= ssim_scratch_size(&p, W, false, &bytes) == SSIM_OK;
        void *s = malloc(bytes);
        w->ok &= ssim_compute_u8_scratch(&p, &x, &y, 0, s, bytes, NULL, 0, NULL, 0, &r) == SSIM_OK;
        w->scratch_ssim = r.ssim;
        free(s);
        /* Thread k provokes its own error and must read back its own message. */
        bad.stride = (size_t)w->index;
        w->ok &= ssim_compute_u8(&p, &bad, &y, NULL, &r) == SSIM_ERROR_STRIDE_TOO_SHORT;
        char want[64];
        snprintf(want, sizeof want, "row stride %d is", w->index);
        ssim_last_error_message(msg, sizeof msg);
        w->ok &= strstr(msg, want) != NULL;
    }
    return NULL;
}

static void test_threads(void) {
    enum { N = 4 };
    pthread_t t[N];
    worker w[N];
    ssim_params p;
    ssim_params_from_preset(SSIM_PRESET_WANG2004, 255, &p);
    ssim_image_u8 x = {gx, W, H, W, 1}, y = {gy, W, H, W, 1};
    ssim_result ref;
    EXPECT_STATUS(SSIM_OK, ssim_compute_u8(&p, &x, &y, NULL, &ref));
    for (int i = 0; i < N; i++) {
        w[i].index = i + 1;
        CHECK(pthread_create(&t[i], NULL, work, &w[i]) == 0, "pthread_create");
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        CHECK(w[i].ok && w[i].ssim == ref.ssim && w[i].scratch_ssim == ref.ssim,
              "thread %d: ok %d, %.17g / %.17g vs %.17g", i, w[i].ok, w[i].ssim,
              w[i].scratch_ssim, ref.ssim);
    }
}

#ifdef SSIM_TEST_COUNT_ALLOCS
/* Linked with -Wl,--wrap=malloc,... against the static library: counts every allocation the
 * library makes, to prove the scratch path makes none. */
static long allocations;
void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
int __real_posix_memalign(void **, size_t, size_t);
void *__wrap_malloc(size_t n) {
    allocations++;
    return __real_malloc(n);
}
void *__wrap_calloc(size_t a, size_t b) {
    allocations++;
    return __real_calloc(a, b);
}
void *__wrap_realloc(void *p, size_t n) {
    allocations++;
    return __real_realloc(p, n);
}
int __wrap_posix_memalign(void **p, size_t a, size_t n) {
    allocations++;
    return __real_posix_memalign(p, a, n);
}

static void test_no_allocation(void) {
    static unsigned char scratch_buf[1 << 16];
    static float map_buf[W * H];
    ssim_params p;
    ssim_image_u8 x = {gx, W, H, W, 1}, y = {gy, W, H, W, 1};
    ssim_result r;
    size_t bytes;
    long before = allocations;
    EXPECT_STATUS(SSIM_OK, ssim_params_from_preset(SSIM_PRESET_SCIKIT_IMAGE, 255, &p));
    EXPECT_STATUS(SSIM_OK, ssim_scratch_size(&p, W, true, &bytes));
    CHECK(bytes <= sizeof scratch_buf, "scratch %zu bytes", bytes);
    EXPECT_STATUS(SSIM_OK, ssim_compute_u8_scratch(&p, &x, &y, SSIM_BACKEND_AUTO, scratch_buf,
                                                   bytes, map_buf, W * H, NULL, 0, &r));
    EXPECT_STATUS(SSIM_ERROR_SCRATCH_TOO_SMALL,
                  ssim_compute_u8_scratch(&p, &x, &y, SSIM_BACKEND_AUTO, scratch_buf, 10,
                                          map_buf, W * H, NULL, 0, &r));
    long made = allocations - before;
    CHECK(made == 0, "the scratch path allocated %ld times", made);
    printf("allocations by the scratch path (success and error): %ld\n", made);
    /* The counter works: the allocating path is counted. */
    before = allocations;
    EXPECT_STATUS(SSIM_OK, ssim_compute_u8(&p, &x, &y, NULL, &r));
    CHECK(allocations > before, "the allocating path was not counted");
}
#endif

/* The FFmpeg entry points' argument checks. */
static void test_ffmpeg_args(void) {
    ssim_image_u8 a = {gx, W, H, W, 1}, b = {gy, W, H, W, 1}, small = {gx, 7, 7, W, 1};
    uint16_t wide[W * H];
    for (int i = 0; i < W * H; i++) wide[i] = (uint16_t)(gx[i] * 4);
    ssim_image_u16 w16 = {wide, W, H, W, 1};
    double v = -1;
    EXPECT_STATUS(SSIM_OK, ssim_ffmpeg_u8(&a, &a, NULL, &v));
    CHECK(v == 1.0, "ssim_ffmpeg_u8 of an image with itself is %.17g, expected 1", v);
    EXPECT_STATUS(SSIM_OK, ssim_ffmpeg_u8(&a, &b, NULL, &v));
    CHECK(v > 0 && v < 1, "ssim_ffmpeg_u8 of a distorted pair is %.17g", v);
    EXPECT_STATUS(SSIM_OK, ssim_ffmpeg_u16(&w16, &w16, 10, NULL, &v));
    CHECK(v == 1.0, "ssim_ffmpeg_u16 of an image with itself is %.17g, expected 1", v);
    v = -1;
    EXPECT_STATUS(SSIM_ERROR_INVALID_PARAMETER, ssim_ffmpeg_u16(&w16, &w16, 8, NULL, &v));
    EXPECT_STATUS(SSIM_ERROR_INVALID_PARAMETER, ssim_ffmpeg_u16(&w16, &w16, 17, NULL, &v));
    EXPECT_STATUS(SSIM_ERROR_IMAGE_SMALLER_THAN_WINDOW, ssim_ffmpeg_u8(&small, &small, NULL, &v));
    EXPECT_STATUS(SSIM_ERROR_SIZE_MISMATCH, ssim_ffmpeg_u8(&a, &small, NULL, &v));
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_ffmpeg_u8(&a, &b, NULL, NULL));
    EXPECT_STATUS(SSIM_ERROR_NULL_POINTER, ssim_ffmpeg_u8(NULL, &b, NULL, &v));
    CHECK(v == -1, "a failed call wrote %.17g", v);
    ssim_params p;
    EXPECT_STATUS(SSIM_ERROR_INVALID_PARAMETER, ssim_params_from_preset(SSIM_PRESET_FFMPEG, 255, &p));
    char msg[256];
    ssim_last_error_message(msg, sizeof msg);
    CHECK(strstr(msg, "ssim_ffmpeg_u8") != NULL, "the message names the entry points: %s", msg);
    /* FFmpeg's 10 log10(n / (n - sum)): two frames of 0.9 are 10 dB, one of 0.99 is 20. */
    CHECK(fabs(ssim_ffmpeg_db(1.8, 2.0) - 10.0) < 1e-9, "dB %.12f", ssim_ffmpeg_db(1.8, 2.0));
    CHECK(fabs(ssim_ffmpeg_db(0.99, 1.0) - 20.0) < 1e-9, "dB %.12f", ssim_ffmpeg_db(0.99, 1.0));
    CHECK(isinf(ssim_ffmpeg_db(1.0, 1.0)), "dB of 1 is infinite");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s TESTDATA_DIR [CASE ...]\n", argv[0]);
        return 2;
    }
    fill();
#ifdef SSIM_TEST_COUNT_ALLOCS
    test_no_allocation();
#endif
    test_versions_and_strings();
    test_backends();
    test_params();
    test_images();
    test_maps_and_scratch();
    test_msssim_args();
    test_layouts();
    test_threads();
    test_ffmpeg_args();
    long before = checks_failed;
    for (int i = 2; i < argc; i++) run_case(argv[1], argv[i]);
    printf("reference cases: %d (%ld failed checks)\n", argc - 2, checks_failed - before);
    printf("worst |mean - reference| %.3g, worst map pixel %.3g, worst level mean %.3g\n",
           worst_mean_err, worst_map_err, worst_level_err);
    printf("%ld passed, %ld failed\n", checks_passed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}
