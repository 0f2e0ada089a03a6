/* The gradient calls of the C API: the value equals the value alone bit for bit, the
 * gradient agrees with central differences of the f32 value, and every error leaves the
 * caller's buffers untouched. Prints "N passed, M failed". */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ssim.h"

static long passed, failed;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (cond) {                                                        \
            passed++;                                                      \
        } else {                                                           \
            failed++;                                                      \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                    \
            printf(__VA_ARGS__);                                           \
            printf("\n");                                                  \
        }                                                                  \
    } while (0)

#define W 176
#define H 170
static uint8_t x8[W * H], y8[W * H];
static float xf[W * H], yf[W * H], g[W * H + 1];

static int untouched(const float *v, size_t n, float value) {
    for (size_t i = 0; i < n; i++)
        if (v[i] != value) return 0;
    return 1;
}

static double value_f32(const ssim_params *p, const float *y) {
    ssim_image_f32 a = {xf, W, H, W, 1}, b = {y, W, H, W, 1};
    ssim_result r;
    if (ssim_compute_f32(p, &a, &b, NULL, &r) != SSIM_OK) return NAN;
    return r.ssim;
}

int main(void) {
    for (size_t i = 0; i < W * H; i++) {
        size_t c = i % W, r = i / W;
        x8[i] = (uint8_t)((c * 7 + r * 3 + (c * r) % 31) % 256);
        y8[i] = (uint8_t)(x8[i] / 2 + 60 + (i * 2654435761u >> 28));
        xf[i] = x8[i];
        yf[i] = y8[i];
    }
    ssim_params p;
    ssim_params_from_preset(SSIM_PRESET_WANG2004, 255, &p);
    ssim_image_u8 x = {x8, W, H, W, 1}, y = {y8, W, H, W, 1};
    ssim_result alone, with, keep = {-7, -7, 7, 7};

    CHECK(ssim_compute_u8(&p, &x, &y, NULL, &alone) == SSIM_OK, "value alone");
    CHECK(ssim_gradient_u8(&p, &x, &y, NULL, g, W * H, &with) == SSIM_OK, "gradient");
    CHECK(memcmp(&alone.ssim, &with.ssim, sizeof(double)) == 0, "value %.17g vs %.17g",
          with.ssim, alone.ssim);

    /* Central differences of the f32 value at a few pixels (step 0.5 sample). */
    ssim_image_f32 fx = {xf, W, H, W, 1}, fy = {yf, W, H, W, 1};
    static float gf[W * H];
    ssim_result rf;
    CHECK(ssim_gradient_f32(&p, &fx, &fy, NULL, gf, W * H, &rf) == SSIM_OK, "f32 gradient");
    double max = 0;
    for (size_t i = 0; i < W * H; i++) max = fmax(max, fabs(gf[i]));
    size_t at[] = {W * 5 + 5, W * 80 + 90, W * 100 + 7, W * 60 + 170};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        size_t i = at[k];
        float keepv = yf[i];
        yf[i] = keepv + 0.5f;
        double up = value_f32(&p, yf);
        yf[i] = keepv - 0.5f;
        double down = value_f32(&p, yf);
        yf[i] = keepv;
        double fd = (up - down) / 1.0;
        CHECK(fabs(fd - gf[i]) <= 0.02 * max, "pixel %zu: gradient %g, difference %g (max %g)",
              i, gf[i], fd, max);
        CHECK(g[i] == gf[i], "u8 and f32 gradients differ at %zu", i);
    }

    /* Errors: nothing written. */
    for (size_t i = 0; i < W * H + 1; i++) g[i] = 3.0f;
    with = keep;
    CHECK(ssim_gradient_u8(&p, &x, &y, NULL, g, W * H - 1, &with) == SSIM_ERROR_MAP_TOO_SMALL,
          "short buffer");
    CHECK(untouched(g, W * H + 1, 3.0f) && with.ssim == -7, "written on error");
    CHECK(ssim_gradient_u8(&p, &x, &y, NULL, NULL, W * H, &with) == SSIM_ERROR_NULL_POINTER,
          "NULL gradient");
    yf[17] = NAN;
    CHECK(ssim_gradient_f32(&p, &fx, &fy, NULL, g, W * H, &rf) == SSIM_ERROR_NON_FINITE_SAMPLE,
          "NaN sample");
    CHECK(untouched(g, W * H + 1, 3.0f), "written on error");
    yf[17] = y8[17];
    ssim_image_u8 small = {x8, 9, 9, W, 1};
    CHECK(ssim_gradient_u8(&p, &small, &small, NULL, g, W * H, &with) ==
              SSIM_ERROR_IMAGE_SMALLER_THAN_WINDOW,
          "small image");
    CHECK(untouched(g, W * H + 1, 3.0f), "written on error");

    /* MS-SSIM: value equal to ssim_msssim_u8's; a longer buffer keeps its tail. */
    ssim_msssim_params mp;
    ssim_msssim_params_from_preset(SSIM_MSSSIM_PRESET_PYTORCH_MSSSIM, 255, &mp);
    ssim_msssim_result ma, mg;
    CHECK(ssim_msssim_u8(&mp, &x, &y, NULL, NULL, 0, &ma) == SSIM_OK, "msssim");
    CHECK(ssim_msssim_gradient_u8(&mp, &x, &y, NULL, g, W * H + 1, &mg) == SSIM_OK,
          "msssim gradient");
    CHECK(memcmp(&ma.msssim, &mg.msssim, sizeof(double)) == 0 && mg.levels == 5,
          "msssim value %.17g vs %.17g", mg.msssim, ma.msssim);
    CHECK(g[W * H] == 3.0f, "wrote past width * height");
    double gmax = 0;
    for (size_t i = 0; i < W * H; i++) gmax = fmax(gmax, fabs(g[i]));
    CHECK(gmax > 0 && isfinite(gmax), "msssim gradient max %g", gmax);
    mp.negative = SSIM_NEGATIVE_STRICT;
    static uint8_t inv[W * H];
    for (size_t i = 0; i < W * H; i++) inv[i] = (uint8_t)(255 - x8[i]);
    ssim_image_u8 yi = {inv, W, H, W, 1};
    for (size_t i = 0; i < W * H + 1; i++) g[i] = 3.0f;
    CHECK(ssim_msssim_gradient_u8(&mp, &x, &yi, NULL, g, W * H, &mg) == SSIM_ERROR_NEGATIVE_MEAN,
          "strict negative mean");
    CHECK(untouched(g, W * H + 1, 3.0f), "written on error");

    printf("gradient_test: %ld passed, %ld failed\n", passed, failed);
    return failed != 0;
}
