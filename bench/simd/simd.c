/* simd: an image-processing pipeline written with WebAssembly SIMD intrinsics.
 *
 * Every frame runs eight kernels over 256x256 byte planes (64 KiB each):
 *   noise  4 LCG streams in i32x4 lanes, top bytes gathered with i8x16.shuffle;
 *   blend  cross-fade of two planes with i32x4.dot_i16x8_s on interleaved 16-bit
 *          pixel pairs (extend, shuffle, narrow), then u8 saturating
 *          brightness and an i8 saturating contrast step (xor, shr_s);
 *   blur   3x3 box blur: 9 v128.load8x8_u per 8 pixels, i16x8 adds, division by 9
 *          with i16x8.q15mulr_sat_s, narrow, v128.store64_lane; borders copied;
 *   sobel  edge magnitude max(|gx|,|gy|) + min/2 in i16x8 (sub, shl, abs, min, max),
 *          threshold with u8x16.gt, v128.bitselect, edge count from i8x16.bitmask;
 *   lut    a 256-entry tone curve as 16 i8x16.swizzle lookups (out-of-range lanes 0);
 *   color  the plane as RGBA pixels: channels split with u32x4 shifts and masks,
 *          converted to f32x4, a colour matrix (mul, add, div), clamp with
 *          pmin/pmax, a sqrt curve for dark values (f32x4.lt, bitselect), nearest,
 *          trunc_sat, narrow, and an i8x16.shuffle back to RGBA order;
 *   mix    the next frame's input: u8x16.avgr, min, max;
 *   hash   per-plane checksums: i32x4 mul/xor/rotate, i64x2 mul/add with
 *          u64x2 extends, byte sums with extadd_pairwise, extract_lane.
 *
 * Compiled with -msimd128 the kernels use <wasm_simd128.h>. Compiled without it (for
 * example natively with gcc) the same kernels are plain scalar C with the same
 * semantics, which is how the expected output is produced and cross-checked: the
 * scalar and the SIMD versions print the same line. Floating point uses only
 * exactly specified operations (+ - * / sqrt, nearest, truncation, comparisons,
 * pmin/pmax) on values that are never NaN, so the output does not depend on the
 * implementation.
 * Size (argv[1]): number of frames.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#else
#include <math.h>
#endif

#define W 256
#define H 256
#define N (W * H)

/* The planes, 16-byte aligned (v128 loads need no alignment; aligned is just typical). */
#define PLANE(name) static uint8_t name[N] __attribute__((aligned(16)))
PLANE(img);    /* the frame's input, written by mix */
PLANE(noisy);  /* fresh noise */
PLANE(blended);
PLANE(blurred);
PLANE(edges);
PLANE(toned);
PLANE(colored);

static uint8_t tone[256] __attribute__((aligned(16)));

/* The colour matrix: out_c = m[c][0]*R + m[c][1]*G + m[c][2]*B + m[c][3]*A + bias[c]
 * for c = 0, 1, 2, evaluated left to right; channel 3 is (R + G + B) / 3. */
static const float MAT[3][4] = {
    {0.393f, 0.769f, 0.189f, 0.05f},
    {0.349f, 0.686f, 0.168f, -0.04f},
    {0.272f, 0.534f, 0.131f, 0.11f},
};
static const float BIAS[3] = {-12.5f, 3.25f, 1.0f};

#define LCG_MUL 1664525u
#define LCG_ADD 1013904223u
#define HASH_K32 0x9e3779b1u
#define HASH_K64 0xff51afd7ed558ccdull

/* Running checksum of one plane across frames. */
struct hstate {
    uint32_t h32[4];
    uint64_t h64[2];
    uint64_t sum;
};

#ifdef __wasm_simd128__
/* ------------------------------------------------------------------------------ */
/* SIMD kernels */

__attribute__((noinline)) static void noise(uint8_t *out, uint32_t state[4]) {
    v128_t s = wasm_v128_load(state);
    const v128_t mul = wasm_i32x4_splat((int32_t)LCG_MUL), add = wasm_i32x4_splat((int32_t)LCG_ADD);
    for (int i = 0; i < N; i += 16) {
        v128_t v0 = s = wasm_i32x4_add(wasm_i32x4_mul(s, mul), add);
        v128_t v1 = s = wasm_i32x4_add(wasm_i32x4_mul(s, mul), add);
        v128_t v2 = s = wasm_i32x4_add(wasm_i32x4_mul(s, mul), add);
        v128_t v3 = s = wasm_i32x4_add(wasm_i32x4_mul(s, mul), add);
        /* The top byte of every lane: bytes 3, 7, 11, 15 of each vector. */
        v128_t t01 = wasm_i8x16_shuffle(v0, v1, 3, 7, 11, 15, 19, 23, 27, 31, 0, 0, 0, 0, 0, 0, 0, 0);
        v128_t t23 = wasm_i8x16_shuffle(v2, v3, 3, 7, 11, 15, 19, 23, 27, 31, 0, 0, 0, 0, 0, 0, 0, 0);
        wasm_v128_store(out + i, wasm_i8x16_shuffle(t01, t23, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20,
                                                    21, 22, 23));
    }
    wasm_v128_store(state, s);
}

/* a*w + b*(256-w), rounded and divided by 256, for 4 pixels given as (a, b) i16 pairs. */
static inline v128_t fade4(v128_t pairs, v128_t weights) {
    v128_t d = wasm_i32x4_dot_i16x8(pairs, weights);
    return wasm_u32x4_shr(wasm_i32x4_add(d, wasm_i32x4_splat(128)), 8);
}

__attribute__((noinline)) static void blend(uint8_t *out, const uint8_t *a, const uint8_t *b, int w,
                                            int up, int down, int dc) {
    /* i16 lanes (w, 256 - w, w, 256 - w, ...) */
    const v128_t weights = wasm_i32x4_splat((int32_t)(((uint32_t)(256 - w) << 16) | (uint32_t)w));
    const v128_t vup = wasm_u8x16_splat((uint8_t)up), vdown = wasm_u8x16_splat((uint8_t)down);
    const v128_t vdc = wasm_i8x16_splat((int8_t)dc), bias = wasm_u8x16_splat(0x80);
    for (int i = 0; i < N; i += 16) {
        v128_t va = wasm_v128_load(a + i), vb = wasm_v128_load(b + i);
        v128_t al = wasm_u16x8_extend_low_u8x16(va), ah = wasm_u16x8_extend_high_u8x16(va);
        v128_t bl = wasm_u16x8_extend_low_u8x16(vb), bh = wasm_u16x8_extend_high_u8x16(vb);
        v128_t d0 = fade4(wasm_i16x8_shuffle(al, bl, 0, 8, 1, 9, 2, 10, 3, 11), weights);
        v128_t d1 = fade4(wasm_i16x8_shuffle(al, bl, 4, 12, 5, 13, 6, 14, 7, 15), weights);
        v128_t d2 = fade4(wasm_i16x8_shuffle(ah, bh, 0, 8, 1, 9, 2, 10, 3, 11), weights);
        v128_t d3 = fade4(wasm_i16x8_shuffle(ah, bh, 4, 12, 5, 13, 6, 14, 7, 15), weights);
        v128_t t = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(d0, d1), wasm_i16x8_narrow_i32x4(d2, d3));
        t = wasm_u8x16_sub_sat(wasm_u8x16_add_sat(t, vup), vdown);
        /* Contrast around 128, in signed bytes: v + v/4, then minus dc, saturating. */
        v128_t v = wasm_v128_xor(t, bias);
        v = wasm_i8x16_add_sat(v, wasm_i8x16_shr(v, 2));
        v = wasm_i8x16_sub_sat(v, vdc);
        wasm_v128_store(out + i, wasm_v128_xor(v, bias));
    }
}

__attribute__((noinline)) static void blur(uint8_t *out, const uint8_t *in) {
    const v128_t ninth = wasm_i16x8_splat(3641); /* 32768 / 9, rounded */
    for (int x = 0; x < W; x += 16) { /* first and last rows: copied */
        wasm_v128_store(out + x, wasm_v128_load(in + x));
        wasm_v128_store(out + (H - 1) * W + x, wasm_v128_load(in + (H - 1) * W + x));
    }
    for (int y = 1; y < H - 1; y++) {
        const uint8_t *r0 = in + (y - 1) * W, *r1 = in + y * W, *r2 = in + (y + 1) * W;
        uint8_t *o = out + y * W;
        /* Columns 0-7 and W-8..W-1: copied. */
        wasm_v128_store64_lane(o, wasm_v128_load64_zero(r1), 0);
        wasm_v128_store64_lane(o + W - 8, wasm_v128_load64_zero(r1 + W - 8), 0);
        for (int x = 8; x < W - 8; x += 8) {
            v128_t s = wasm_i16x8_add(wasm_u16x8_load8x8(r0 + x - 1), wasm_u16x8_load8x8(r0 + x));
            s = wasm_i16x8_add(s, wasm_u16x8_load8x8(r0 + x + 1));
            s = wasm_i16x8_add(s, wasm_u16x8_load8x8(r1 + x - 1));
            s = wasm_i16x8_add(s, wasm_u16x8_load8x8(r1 + x));
            s = wasm_i16x8_add(s, wasm_u16x8_load8x8(r1 + x + 1));
            s = wasm_i16x8_add(s, wasm_u16x8_load8x8(r2 + x - 1));
            s = wasm_i16x8_add(s, wasm_u16x8_load8x8(r2 + x));
            s = wasm_i16x8_add(s, wasm_u16x8_load8x8(r2 + x + 1));
            v128_t q = wasm_i16x8_q15mulr_sat(s, ninth);
            wasm_v128_store64_lane(o + x, wasm_u8x16_narrow_i16x8(q, q), 0);
        }
    }
}

/* Sobel magnitude of 8 pixels, from the 16-bit neighbours: a = row above, b = this
 * row, c = row below; 0, 1, 2 = columns x-1, x, x+1. */
static inline v128_t sobel8(v128_t a0, v128_t a1, v128_t a2, v128_t b0, v128_t b2, v128_t c0, v128_t c1,
                            v128_t c2) {
    v128_t gx = wasm_i16x8_add(wasm_i16x8_sub(a2, a0), wasm_i16x8_shl(wasm_i16x8_sub(b2, b0), 1));
    gx = wasm_i16x8_add(gx, wasm_i16x8_sub(c2, c0));
    v128_t below = wasm_i16x8_add(wasm_i16x8_add(c0, wasm_i16x8_mul(c1, wasm_i16x8_splat(2))), c2);
    v128_t above = wasm_i16x8_add(wasm_i16x8_add(a0, wasm_i16x8_shl(a1, 1)), a2);
    v128_t gy = wasm_i16x8_sub(below, above);
    v128_t ax = wasm_i16x8_abs(gx), ay = wasm_i16x8_abs(gy);
    return wasm_i16x8_add(wasm_i16x8_max(ax, ay), wasm_i16x8_shr(wasm_i16x8_min(ax, ay), 1));
}

#define LO(v) wasm_u16x8_extend_low_u8x16(v)
#define HI(v) wasm_u16x8_extend_high_u8x16(v)

__attribute__((noinline)) static uint32_t sobel(uint8_t *out, const uint8_t *in, int thr) {
    const v128_t zero = wasm_i64x2_const(0, 0), white = wasm_u8x16_splat(255);
    const v128_t vthr = wasm_u8x16_splat((uint8_t)thr);
    uint32_t count = 0;
    for (int x = 0; x < W; x += 16) { /* first and last rows: 0 */
        wasm_v128_store(out + x, zero);
        wasm_v128_store(out + (H - 1) * W + x, zero);
    }
    for (int y = 1; y < H - 1; y++) {
        const uint8_t *r0 = in + (y - 1) * W, *r1 = in + y * W, *r2 = in + (y + 1) * W;
        uint8_t *o = out + y * W;
        wasm_v128_store(o, zero); /* columns 0-15 and W-16..W-1: 0 */
        wasm_v128_store(o + W - 16, zero);
        for (int x = 16; x < W - 16; x += 16) {
            v128_t a0 = wasm_v128_load(r0 + x - 1), a1 = wasm_v128_load(r0 + x), a2 = wasm_v128_load(r0 + x + 1);
            v128_t b0 = wasm_v128_load(r1 + x - 1), b2 = wasm_v128_load(r1 + x + 1);
            v128_t c0 = wasm_v128_load(r2 + x - 1), c1 = wasm_v128_load(r2 + x), c2 = wasm_v128_load(r2 + x + 1);
            v128_t lo = sobel8(LO(a0), LO(a1), LO(a2), LO(b0), LO(b2), LO(c0), LO(c1), LO(c2));
            v128_t hi = sobel8(HI(a0), HI(a1), HI(a2), HI(b0), HI(b2), HI(c0), HI(c1), HI(c2));
            v128_t mag = wasm_u8x16_narrow_i16x8(lo, hi);
            v128_t mask = wasm_u8x16_gt(mag, vthr);
            wasm_v128_store(o + x, wasm_v128_bitselect(white, wasm_u8x16_shr(mag, 1), mask));
            if (wasm_v128_any_true(mask))
                count += (uint32_t)__builtin_popcount(wasm_i8x16_bitmask(mask));
        }
    }
    return count;
}

__attribute__((noinline)) static void lut(uint8_t *out, const uint8_t *in, const uint8_t *table) {
    v128_t t[16];
    for (int k = 0; k < 16; k++)
        t[k] = wasm_v128_load(table + 16 * k);
    const v128_t step = wasm_u8x16_splat(16);
    for (int i = 0; i < N; i += 16) {
        /* Sub-table k answers for bytes 16k..16k+15; for every other byte the index
         * x - 16k is 16 or more (mod 256) and swizzle gives 0. */
        v128_t idx = wasm_v128_load(in + i);
        v128_t r = wasm_i8x16_swizzle(t[0], idx);
        for (int k = 1; k < 16; k++) {
            idx = wasm_i8x16_sub(idx, step);
            r = wasm_v128_or(r, wasm_i8x16_swizzle(t[k], idx));
        }
        wasm_v128_store(out + i, r);
    }
}

/* Clamp to [0, 255], lift values under 64 to sqrt(64 v), round to nearest. */
static inline v128_t tone4(v128_t o) {
    o = wasm_f32x4_pmax(wasm_f32x4_pmin(o, wasm_f32x4_splat(255.0f)), wasm_f32x4_splat(0.0f));
    v128_t lifted = wasm_f32x4_sqrt(wasm_f32x4_mul(o, wasm_f32x4_splat(64.0f)));
    v128_t r = wasm_v128_bitselect(lifted, o, wasm_f32x4_lt(o, wasm_f32x4_splat(64.0f)));
    return wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(r));
}

static inline v128_t row4(int c, v128_t r, v128_t g, v128_t b, v128_t a) {
    v128_t o = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_splat(MAT[c][0]), r),
                              wasm_f32x4_mul(wasm_f32x4_splat(MAT[c][1]), g));
    o = wasm_f32x4_add(o, wasm_f32x4_mul(wasm_f32x4_splat(MAT[c][2]), b));
    o = wasm_f32x4_add(o, wasm_f32x4_mul(wasm_f32x4_splat(MAT[c][3]), a));
    return tone4(wasm_f32x4_add(o, wasm_f32x4_splat(BIAS[c])));
}

__attribute__((noinline)) static void color(uint8_t *out, const uint8_t *in) {
    const v128_t byte = wasm_i32x4_splat(0xff);
    for (int i = 0; i < N; i += 16) {
        /* 4 RGBA pixels, one per 32-bit lane: R in the low byte, A in the high one. */
        v128_t px = wasm_v128_load(in + i);
        v128_t r = wasm_f32x4_convert_u32x4(wasm_v128_and(px, byte));
        v128_t g = wasm_f32x4_convert_i32x4(wasm_v128_and(wasm_u32x4_shr(px, 8), byte));
        v128_t b = wasm_f32x4_convert_u32x4(wasm_v128_and(wasm_u32x4_shr(px, 16), byte));
        v128_t a = wasm_f32x4_convert_i32x4(wasm_u32x4_shr(px, 24));
        v128_t o0 = row4(0, r, g, b, a), o1 = row4(1, r, g, b, a), o2 = row4(2, r, g, b, a);
        v128_t o3 = tone4(wasm_f32x4_div(wasm_f32x4_add(wasm_f32x4_add(r, g), b), wasm_f32x4_splat(3.0f)));
        /* RRRR GGGG BBBB AAAA -> 4 RGBA pixels */
        v128_t planar = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(o0, o1), wasm_i16x8_narrow_i32x4(o2, o3));
        wasm_v128_store(out + i, wasm_i8x16_shuffle(planar, planar, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7,
                                                    11, 15));
    }
}

__attribute__((noinline)) static void mix(uint8_t *out, const uint8_t *a, const uint8_t *b) {
    const v128_t lo = wasm_u8x16_splat(5), hi = wasm_u8x16_splat(250);
    for (int i = 0; i < N; i += 16) {
        v128_t m = wasm_u8x16_avgr(wasm_v128_load(a + i), wasm_v128_load(b + i));
        wasm_v128_store(out + i, wasm_u8x16_max(wasm_u8x16_min(m, hi), lo));
    }
}

__attribute__((noinline)) static void hash(const uint8_t *p, struct hstate *st) {
    v128_t h32 = wasm_v128_load(st->h32), h64 = wasm_v128_load(st->h64);
    v128_t sum = wasm_i32x4_splat(0);
    const v128_t k32 = wasm_i32x4_splat((int32_t)HASH_K32), k64 = wasm_i64x2_splat((int64_t)HASH_K64);
    for (int i = 0; i < N; i += 16) {
        v128_t v = wasm_v128_load(p + i);
        v128_t x = wasm_v128_xor(v, h32);
        v128_t m = wasm_i32x4_mul(x, k32);
        h32 = wasm_v128_or(wasm_i32x4_shl(m, 13), wasm_u32x4_shr(m, 19));
        h64 = wasm_i64x2_mul(wasm_i64x2_add(h64, wasm_u64x2_extend_high_u32x4(x)), k64);
        sum = wasm_i32x4_add(sum, wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(v)));
    }
    wasm_v128_store(st->h32, h32);
    wasm_v128_store(st->h64, h64);
    st->sum += (uint64_t)wasm_u32x4_extract_lane(sum, 0) + wasm_u32x4_extract_lane(sum, 1) +
               wasm_u32x4_extract_lane(sum, 2) + wasm_u32x4_extract_lane(sum, 3);
}

#else
/* ------------------------------------------------------------------------------ */
/* The same kernels in scalar C: the reference for the expected output. */

static inline int sat_u8(int v) { return v < 0 ? 0 : v > 255 ? 255 : v; }
static inline int sat_i8(int v) { return v < -128 ? -128 : v > 127 ? 127 : v; }
static inline int sat_i16(int v) { return v < -32768 ? -32768 : v > 32767 ? 32767 : v; }
static inline int iabs(int v) { return v < 0 ? -v : v; }

__attribute__((noinline)) static void noise(uint8_t *out, uint32_t state[4]) {
    for (int i = 0; i < N; i += 16)
        for (int k = 0; k < 4; k++)
            for (int j = 0; j < 4; j++) {
                state[j] = state[j] * LCG_MUL + LCG_ADD;
                out[i + 4 * k + j] = (uint8_t)(state[j] >> 24);
            }
}

__attribute__((noinline)) static void blend(uint8_t *out, const uint8_t *a, const uint8_t *b, int w,
                                            int up, int down, int dc) {
    for (int i = 0; i < N; i++) {
        int t = (int)(((uint32_t)(a[i] * w + b[i] * (256 - w)) + 128u) >> 8);
        t = sat_u8(sat_u8(t + up) - down);
        int v = (int8_t)(t ^ 0x80);
        v = sat_i8(v + (v >> 2));
        v = sat_i8(v - dc);
        out[i] = (uint8_t)((uint8_t)v ^ 0x80);
    }
}

__attribute__((noinline)) static void blur(uint8_t *out, const uint8_t *in) {
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int i = y * W + x;
            if (y == 0 || y == H - 1 || x < 8 || x >= W - 8) {
                out[i] = in[i];
                continue;
            }
            int s = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                    s += in[i + dy * W + dx];
            out[i] = (uint8_t)sat_u8(sat_i16((s * 3641 + 16384) >> 15));
        }
}

__attribute__((noinline)) static uint32_t sobel(uint8_t *out, const uint8_t *in, int thr) {
    uint32_t count = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int i = y * W + x;
            if (y == 0 || y == H - 1 || x < 16 || x >= W - 16) {
                out[i] = 0;
                continue;
            }
            const uint8_t *a = in + i - W, *b = in + i, *c = in + i + W;
            int gx = (a[1] - a[-1]) + 2 * (b[1] - b[-1]) + (c[1] - c[-1]);
            int gy = (c[-1] + 2 * c[0] + c[1]) - (a[-1] + 2 * a[0] + a[1]);
            int ax = iabs(gx), ay = iabs(gy);
            int mag = sat_u8((ax > ay ? ax : ay) + ((ax < ay ? ax : ay) >> 1));
            if (mag > thr) {
                out[i] = 255;
                count++;
            } else {
                out[i] = (uint8_t)(mag >> 1);
            }
        }
    return count;
}

__attribute__((noinline)) static void lut(uint8_t *out, const uint8_t *in, const uint8_t *table) {
    for (int i = 0; i < N; i++)
        out[i] = table[in[i]];
}

static inline int tone1(float o) {
    o = 255.0f < o ? 255.0f : o; /* pmin(o, 255) */
    o = o < 0.0f ? 0.0f : o;     /* pmax(o, 0) */
    float lifted = sqrtf(o * 64.0f);
    float r = o < 64.0f ? lifted : o;
    return (int)nearbyintf(r);
}

__attribute__((noinline)) static void color(uint8_t *out, const uint8_t *in) {
    for (int i = 0; i < N; i += 4) {
        float r = (float)in[i], g = (float)in[i + 1], b = (float)in[i + 2], a = (float)in[i + 3];
        for (int c = 0; c < 3; c++)
            out[i + c] = (uint8_t)sat_u8(
                tone1(MAT[c][0] * r + MAT[c][1] * g + MAT[c][2] * b + MAT[c][3] * a + BIAS[c]));
        out[i + 3] = (uint8_t)sat_u8(tone1((r + g + b) / 3.0f));
    }
}

__attribute__((noinline)) static void mix(uint8_t *out, const uint8_t *a, const uint8_t *b) {
    for (int i = 0; i < N; i++) {
        int m = (a[i] + b[i] + 1) >> 1;
        out[i] = (uint8_t)(m > 250 ? 250 : m < 5 ? 5 : m);
    }
}

__attribute__((noinline)) static void hash(const uint8_t *p, struct hstate *st) {
    for (int i = 0; i < N; i += 16) {
        uint32_t x[4];
        for (int j = 0; j < 4; j++) {
            const uint8_t *q = p + i + 4 * j;
            uint32_t v = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
            x[j] = v ^ st->h32[j];
            uint32_t m = x[j] * HASH_K32;
            st->h32[j] = (m << 13) | (m >> 19);
            st->sum += (uint64_t)q[0] + q[1] + q[2] + q[3];
        }
        for (int j = 0; j < 2; j++)
            st->h64[j] = (st->h64[j] + x[2 + j]) * HASH_K64;
    }
}
#endif

/* ------------------------------------------------------------------------------ */

static uint64_t fold(const struct hstate *st) {
    uint64_t f = st->h64[0] ^ (st->h64[1] << 29 | st->h64[1] >> 35);
    for (int j = 0; j < 4; j++)
        f = (f ^ st->h32[j]) * 0x100000001b3ull;
    return f;
}

int main(int argc, char **argv) {
    int frames = argc > 1 ? atoi(argv[1]) : 200;
    /* Smoothstep tone curve: 255 * (3t^2 - 2t^3), t = i / 255. */
    for (int i = 0; i < 256; i++)
        tone[i] = (uint8_t)((3u * i * i * 255u - 2u * i * i * i + 32512u) / 65025u);
    uint32_t seed_img[4] = {1u, 2u, 3u, 4u}, seed_noise[4] = {0x1234567u, 0x89abcdefu, 0x2468aceu, 0x13579bdu};
    noise(img, seed_img);
    struct hstate hs[5] = {{{0}, {0}, 0}};
    for (int k = 0; k < 5; k++)
        for (int j = 0; j < 4; j++)
            hs[k].h32[j] = 0x01000193u * (uint32_t)(4 * k + j + 1);
    uint64_t edge_count = 0;
    for (int f = 0; f < frames; f++) {
        noise(noisy, seed_noise);
        blend(blended, img, noisy, (f * 37) % 257, f % 23, (f * 7) % 19, f % 15 - 7);
        blur(blurred, blended);
        edge_count += sobel(edges, blurred, 80 + f % 64);
        lut(toned, edges, tone);
        color(colored, blurred);
        mix(img, colored, toned);
        hash(blended, &hs[0]);
        hash(blurred, &hs[1]);
        hash(edges, &hs[2]);
        hash(toned, &hs[3]);
        hash(colored, &hs[4]);
    }
    uint64_t total = 0;
    for (int k = 0; k < 5; k++)
        total += hs[k].sum;
    printf("simd frames=%d size=%dx%d edges=%llu sum=%llu blend=%016llx blur=%016llx sobel=%016llx "
           "lut=%016llx color=%016llx\n",
           frames, W, H, (unsigned long long)edge_count, (unsigned long long)total,
           (unsigned long long)fold(&hs[0]), (unsigned long long)fold(&hs[1]), (unsigned long long)fold(&hs[2]),
           (unsigned long long)fold(&hs[3]), (unsigned long long)fold(&hs[4]));
    return 0;
}
