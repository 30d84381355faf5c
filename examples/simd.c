/* Image and signal kernels that clang vectorizes with -msimd128, and the same source without it.
 *
 *   clang --target=wasm32-wasi --sysroot=/usr -O2 -msimd128 examples/simd.c -o simd.wasm
 *   clang --target=wasm32-wasi --sysroot=/usr -O2           examples/simd.c -o scalar.wasm
 *   wvm run simd.wasm; wvm run scalar.wasm     # both print the same lines
 *
 * Plain C loops (a 3x3 blur, alpha blending, saturating brighten, an integer dot product,
 * float saxpy) are what the autovectorizer turns into v128 code; the SIMD build also runs one
 * kernel written with <wasm_simd128.h> intrinsics (shuffles, narrowing, q15 multiply), and the
 * scalar build runs its plain-C twin. Every result goes into a checksum.
 *
 * -DBENCH_EXPORT: no main and no WASI imports; `bench()` returns the checksum (WVM's benchmark
 * crate runs it beside other runtimes). -DBENCH_DIV=N does about 1/N of the work. */
#include <stdint.h>
#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#ifndef BENCH_DIV
#define BENCH_DIV 1
#endif

#define W 256
#define H 256

static uint8_t img_a[W * H], img_b[W * H], out[W * H];
static int16_t sig_a[4096], sig_b[4096];
static float fx[4096], fy[4096];

static uint32_t mix32(uint32_t h, uint32_t v) {
    h ^= v;
    h *= 0x01000193u;
    h ^= h >> 15;
    return h;
}

static uint32_t mix_bytes(uint32_t h, const uint8_t *p, int n) {
    for (int i = 0; i + 4 <= n; i += 4) {
        uint32_t v;
        memcpy(&v, p + i, 4);
        h = mix32(h, v);
    }
    return h;
}

static void fill(uint32_t seed) {
    uint32_t x = seed;
    for (int i = 0; i < W * H; i++) {
        x = x * 1664525u + 1013904223u;
        img_a[i] = (uint8_t)(x >> 24);
        img_b[i] = (uint8_t)(x >> 16);
    }
    for (int i = 0; i < 4096; i++) {
        x = x * 1664525u + 1013904223u;
        sig_a[i] = (int16_t)(x >> 16);
        sig_b[i] = (int16_t)(x >> 8);
        fx[i] = (float)(int32_t)(x >> 20) * 0.25f;
        fy[i] = (float)i * 0.5f;
    }
}

/* 3x3 box blur (sum / 9 by multiply-shift, exact for sums up to 2295). */
static void blur(const uint8_t *src, uint8_t *dst) {
    for (int y = 1; y < H - 1; y++)
        for (int x = 1; x < W - 1; x++) {
            unsigned s = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) s += src[(y + dy) * W + x + dx];
            dst[y * W + x] = (uint8_t)((s * 7282u) >> 16);
        }
}

/* out = (a * alpha + b * (255 - alpha)) / 255, per byte. */
static void blend(const uint8_t *a, const uint8_t *b, uint8_t *dst, unsigned alpha) {
    for (int i = 0; i < W * H; i++)
        dst[i] = (uint8_t)((a[i] * alpha + b[i] * (255u - alpha) + 127u) / 255u);
}

/* Saturating brighten. */
static void brighten(uint8_t *p, int by) {
    for (int i = 0; i < W * H; i++) {
        int v = p[i] + by;
        p[i] = (uint8_t)(v > 255 ? 255 : v);
    }
}

static int32_t dot16(const int16_t *a, const int16_t *b, int n) {
    int32_t s = 0;
    for (int i = 0; i < n; i++) s += (int32_t)a[i] * b[i];
    return s;
}

static void saxpy(float a, const float *x, float *y, int n) {
    for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];
}

/* q15 multiply with rounding and saturation, then narrow pairs of results to bytes
 * (with signed saturation) interleaved in reverse order: written with intrinsics in the SIMD
 * build, in plain C otherwise. */
static uint32_t q15_kernel(const int16_t *a, const int16_t *b, int n) {
    uint32_t h = 0;
#ifdef __wasm_simd128__
    for (int i = 0; i + 16 <= n; i += 16) {
        v128_t x0 = wasm_v128_load(a + i), x1 = wasm_v128_load(a + i + 8);
        v128_t y0 = wasm_v128_load(b + i), y1 = wasm_v128_load(b + i + 8);
        v128_t p0 = wasm_i16x8_q15mulr_sat(x0, y0), p1 = wasm_i16x8_q15mulr_sat(x1, y1);
        v128_t n8 = wasm_i8x16_narrow_i16x8(p0, p1);
        v128_t r = wasm_i8x16_shuffle(n8, n8, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
        h = mix32(h, (uint32_t)wasm_i32x4_extract_lane(r, 0));
        h = mix32(h, (uint32_t)wasm_i32x4_extract_lane(r, 3));
        h = mix32(h, (uint32_t)wasm_i8x16_bitmask(r));
    }
#else
    for (int i = 0; i + 16 <= n; i += 16) {
        int8_t n8[16], r[16];
        for (int j = 0; j < 16; j++) {
            int32_t p = ((int32_t)a[i + j] * b[i + j] + 0x4000) >> 15;
            if (p > 32767) p = 32767;
            if (p > 127) p = 127;
            if (p < -128) p = -128;
            n8[j] = (int8_t)p;
        }
        for (int j = 0; j < 16; j++) r[j] = n8[15 - j];
        uint32_t w0, w3, mask = 0;
        memcpy(&w0, r, 4);
        memcpy(&w3, r + 12, 4);
        for (int j = 0; j < 16; j++) mask |= (uint32_t)((uint8_t)r[j] >> 7) << j;
        h = mix32(h, w0);
        h = mix32(h, w3);
        h = mix32(h, mask);
    }
#endif
    return h;
}

static uint32_t run(void) {
    uint32_t h = 0;
    int rounds = 64 / BENCH_DIV > 0 ? 64 / BENCH_DIV : 1;
    for (int r = 0; r < rounds; r++) {
        fill(0x9e3779b9u + (uint32_t)r);
        blur(img_a, out);
        h = mix_bytes(h, out, W * H);
        blend(img_a, img_b, out, (unsigned)(r * 37) & 255u);
        h = mix_bytes(h, out, W * H);
        brighten(out, r * 3);
        h = mix_bytes(h, out, W * H);
        h = mix32(h, (uint32_t)dot16(sig_a, sig_b, 4096));
        saxpy(1.5f + (float)r, fx, fy, 4096);
        h = mix_bytes(h, (const uint8_t *)fy, (int)sizeof fy);
        h = mix32(h, q15_kernel(sig_a, sig_b, 4096));
    }
    return h;
}

#ifdef BENCH_EXPORT
__attribute__((export_name("bench"))) uint32_t bench(void) { return run(); }
#else
#include <stdio.h>
int main(void) {
    printf("checksum: %u\n", (unsigned)run());
    return 0;
}
#endif
