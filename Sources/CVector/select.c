#include "kuai_vector.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define KUAI_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

// Eight rows a step: the test gives an 8-bit mask, ANDed with the rows' validity bytes; the row
// numbers of the set bits are compressed to the front of a register and stored whole at the
// output position (room for n entries: the store at position m <= i ends by row i + 8 <= n), which then advances by the number of set bits. The
// last n % 8 rows load under a mask (no read past the inputs) and store compressed.

KUAI_AVX512 static inline __mmask8 valid_mask(const uint8_t *valid, long i, __mmask8 lanes) {
    if (!valid) return lanes;
    __m128i v = _mm_maskz_loadu_epi8((__mmask16)lanes, valid + i);
    return (__mmask8)_mm_test_epi8_mask(v, v) & lanes;
}

KUAI_AVX512 static inline long emit(int32_t *out, long m, __m256i rows, __mmask8 keep, int whole) {
    if (whole) {
        _mm256_storeu_si256((__m256i *)(out + m), _mm256_maskz_compress_epi32(keep, rows));
    } else {
        _mm256_mask_compressstoreu_epi32(out + m, keep, rows);
    }
    return m + __builtin_popcount((unsigned)keep);
}

#define KUAI_SELECT_LOOP(LOAD_AND_TEST)                                                      \
    long m = 0;                                                                              \
    __m256i rows = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);                                \
    const __m256i step = _mm256_set1_epi32(8);                                               \
    long i = 0;                                                                              \
    for (; i + 8 <= n; i += 8) {                                                             \
        const __mmask8 lanes = 0xFF;                                                         \
        __mmask8 keep;                                                                       \
        LOAD_AND_TEST                                                                        \
        keep &= valid_mask(valid, i, lanes);                                                 \
        m = emit(out, m, rows, keep, 1);                                                     \
        rows = _mm256_add_epi32(rows, step);                                                 \
    }                                                                                        \
    if (i < n) {                                                                             \
        const __mmask8 lanes = (__mmask8)((1u << (n - i)) - 1);                              \
        __mmask8 keep;                                                                       \
        LOAD_AND_TEST                                                                        \
        keep &= valid_mask(valid, i, lanes);                                                 \
        m = emit(out, m, rows, keep, 0);                                                     \
    }                                                                                        \
    return m;

#define KUAI_CONSTANT(NAME, IMM)                                                                          \
    KUAI_AVX512 static long NAME(const int64_t *a, const uint8_t *valid, long n, int64_t k, int32_t *out) { \
        const __m512i kk = _mm512_set1_epi64(k);                                                          \
        KUAI_SELECT_LOOP(__m512i x = _mm512_maskz_loadu_epi64(lanes, a + i);                              \
                         keep = _mm512_mask_cmp_epi64_mask(lanes, x, kk, IMM);)                           \
    }

#define KUAI_PAIR(NAME, IMM)                                                                                   \
    KUAI_AVX512 static long NAME(const int64_t *a, const int64_t *b, const uint8_t *valid, long n, int32_t *out) { \
        KUAI_SELECT_LOOP(__m512i x = _mm512_maskz_loadu_epi64(lanes, a + i);                                   \
                         __m512i y = _mm512_maskz_loadu_epi64(lanes, b + i);                                   \
                         keep = _mm512_mask_cmp_epi64_mask(lanes, x, y, IMM);)                                 \
    }

// Overflow of x + y or x - y = r: the sign bit of ~(x ^ y) & (x ^ r), or of (x ^ y) & (x ^ r),
// ORed over every row (valid or not) into `signs`.
#define KUAI_SUM(NAME, IMM)                                                                            \
    KUAI_AVX512 static inline __attribute__((always_inline)) long NAME##_loop(                        \
        const int64_t *a, const int64_t *b, const uint8_t *valid, long n, int64_t k, int32_t *out,     \
        __m512i *signs_out, const int subtract) {                                                      \
        const __m512i kk = _mm512_set1_epi64(k);                                                       \
        __m512i signs = _mm512_setzero_si512();                                                        \
        KUAI_SELECT_LOOP(__m512i x = _mm512_maskz_loadu_epi64(lanes, a + i);                           \
                         __m512i y = _mm512_maskz_loadu_epi64(lanes, b + i);                           \
                         __m512i r = subtract ? _mm512_sub_epi64(x, y) : _mm512_add_epi64(x, y);       \
                         __m512i xy = _mm512_xor_si512(x, y);                                          \
                         __m512i xr = _mm512_xor_si512(x, r);                                          \
                         signs = _mm512_or_si512(signs, subtract ? _mm512_and_si512(xy, xr)            \
                                                                 : _mm512_andnot_si512(xy, xr));       \
                         *signs_out = signs;                                                           \
                         keep = _mm512_mask_cmp_epi64_mask(lanes, r, kk, IMM);)                        \
    }                                                                                                  \
    KUAI_AVX512 static long NAME(                                                                      \
        const int64_t *a, const int64_t *b, const uint8_t *valid, long n, int subtract, int64_t k,     \
        int32_t *out, int *overflow) {                                                                 \
        __m512i signs = _mm512_setzero_si512();                                                        \
        long m = subtract ? NAME##_loop(a, b, valid, n, k, out, &signs, 1)                             \
                          : NAME##_loop(a, b, valid, n, k, out, &signs, 0);                            \
        if (_mm512_cmplt_epi64_mask(signs, _mm512_setzero_si512())) *overflow = 1;                     \
        return m;                                                                                      \
    }

#define KUAI_ALL(NAME, IMM) \
    KUAI_CONSTANT(constant_##NAME, IMM) \
    KUAI_PAIR(pair_##NAME, IMM) \
    KUAI_SUM(sum_##NAME, IMM)

KUAI_ALL(eq, _MM_CMPINT_EQ)
KUAI_ALL(ne, _MM_CMPINT_NE)
KUAI_ALL(lt, _MM_CMPINT_LT)
KUAI_ALL(le, _MM_CMPINT_LE)
KUAI_ALL(gt, _MM_CMPINT_NLE)
KUAI_ALL(ge, _MM_CMPINT_NLT)

long kuai_select_constant(const int64_t *a, const uint8_t *valid, long n, int op, int64_t k, int32_t *out) {
    switch (op) {
    case KUAI_EQ: return constant_eq(a, valid, n, k, out);
    case KUAI_NE: return constant_ne(a, valid, n, k, out);
    case KUAI_LT: return constant_lt(a, valid, n, k, out);
    case KUAI_LE: return constant_le(a, valid, n, k, out);
    case KUAI_GT: return constant_gt(a, valid, n, k, out);
    default: return constant_ge(a, valid, n, k, out);
    }
}

long kuai_select_pair(const int64_t *a, const int64_t *b, const uint8_t *valid, long n, int op, int32_t *out) {
    switch (op) {
    case KUAI_EQ: return pair_eq(a, b, valid, n, out);
    case KUAI_NE: return pair_ne(a, b, valid, n, out);
    case KUAI_LT: return pair_lt(a, b, valid, n, out);
    case KUAI_LE: return pair_le(a, b, valid, n, out);
    case KUAI_GT: return pair_gt(a, b, valid, n, out);
    default: return pair_ge(a, b, valid, n, out);
    }
}

long kuai_select_sum(
    const int64_t *a, const int64_t *b, const uint8_t *valid, long n, int subtract, int op, int64_t k,
    int32_t *out, int *overflow) {
    switch (op) {
    case KUAI_EQ: return sum_eq(a, b, valid, n, subtract, k, out, overflow);
    case KUAI_NE: return sum_ne(a, b, valid, n, subtract, k, out, overflow);
    case KUAI_LT: return sum_lt(a, b, valid, n, subtract, k, out, overflow);
    case KUAI_LE: return sum_le(a, b, valid, n, subtract, k, out, overflow);
    case KUAI_GT: return sum_gt(a, b, valid, n, subtract, k, out, overflow);
    default: return sum_ge(a, b, valid, n, subtract, k, out, overflow);
    }
}

// Keys to bit numbers `(key - lo) >> shift`, the lanes in range (`key - lo < span`, unsigned)
// gather their 64-bit words, and a variable shift tests the bit.
KUAI_AVX512 long kuai_select_bits(
    const int64_t *keys, const uint8_t *valid, long n, int64_t lo, uint64_t span, const uint64_t *bits, int shift,
    int32_t *out) {
    const __m512i base = _mm512_set1_epi64(lo);
    const __m512i limit = _mm512_set1_epi64((int64_t)span);
    const __m512i s = _mm512_set1_epi64(shift);
    const __m512i low6 = _mm512_set1_epi64(63);
    const __m512i one = _mm512_set1_epi64(1);
    KUAI_SELECT_LOOP(__m512i x = _mm512_maskz_loadu_epi64(lanes, keys + i);
                     __m512i b = _mm512_srlv_epi64(_mm512_sub_epi64(x, base), s);
                     __m512i off = _mm512_sub_epi64(x, base);
                     __mmask8 in = _mm512_mask_cmplt_epu64_mask(lanes, off, limit);
                     __m512i w = _mm512_mask_i64gather_epi64(
                         _mm512_setzero_si512(), in, _mm512_srli_epi64(b, 6), (const long long *)bits, 8);
                     __m512i bit = _mm512_and_si512(_mm512_srlv_epi64(w, _mm512_and_si512(b, low6)), one);
                     keep = _mm512_mask_test_epi64_mask(in, bit, bit);)
}

// |x| / |d| as doubles (exact integers below 2^52): q = floor(|x| * (1 / |d|)) is off by at most
// one, the fused multiply-add r = |x| - q * |d| is exact, and one step brings r into [0, |d|).
__attribute__((target("avx512f,avx512dq"))) void kuai_divide_by_constant(
    const int64_t *x, long n, int64_t d, int remainder, int64_t *out) {
    const double ad = (double)(d < 0 ? -d : d);
    const __m512d divisor = _mm512_set1_pd(ad);
    const __m512d inverse = _mm512_set1_pd(1.0 / ad);
    const __m512d one = _mm512_set1_pd(1.0);
    const __m512d zero = _mm512_setzero_pd();
    const __m512i izero = _mm512_setzero_si512();
    const int negativeDivisor = d < 0;
    for (long i = 0; i < n; i += 8) {
        __mmask8 lanes = n - i >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << (n - i)) - 1);
        __m512i v = _mm512_maskz_loadu_epi64(lanes, x + i);
        __mmask8 negative = _mm512_cmplt_epi64_mask(v, izero);
        __m512d a = _mm512_cvtepi64_pd(_mm512_abs_epi64(v));
        __m512d q = _mm512_roundscale_pd(_mm512_mul_pd(a, inverse), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        __m512d r = _mm512_fnmadd_pd(q, divisor, a);  // a - q * |d|, exact
        __mmask8 low = _mm512_cmp_pd_mask(r, zero, _CMP_LT_OQ);
        __mmask8 high = _mm512_cmp_pd_mask(r, divisor, _CMP_GE_OQ);
        q = _mm512_mask_sub_pd(q, low, q, one);
        r = _mm512_mask_add_pd(r, low, r, divisor);
        q = _mm512_mask_add_pd(q, high, q, one);
        r = _mm512_mask_sub_pd(r, high, r, divisor);
        __m512i result;
        if (remainder) {
            result = _mm512_cvttpd_epi64(r);
            result = _mm512_mask_sub_epi64(result, negative, izero, result);  // the sign of x
        } else {
            result = _mm512_cvttpd_epi64(q);
            __mmask8 flip = negativeDivisor ? (__mmask8)~negative : negative;
            result = _mm512_mask_sub_epi64(result, flip, izero, result);
        }
        _mm512_mask_storeu_epi64(out + i, lanes, result);
    }
}

// floor(a / d) for doubles holding integers 0 <= a < 2^51: (a + 0.5) / d lies at least 0.5 / d
// from every integer, and the two roundings of (a + 0.5) * RN(1 / d) err by less than
// (a + 0.5) / d * 2^-52 < 0.5 / d, so the floor of the product is exact with no correction.
__attribute__((target("avx512f,avx512dq"), always_inline)) static inline __m512d floor_divide_small(
    __m512d a, __m512d inverse) {
    const __m512d half = _mm512_set1_pd(0.5);
    return _mm512_roundscale_pd(_mm512_mul_pd(_mm512_add_pd(a, half), inverse), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
}

__attribute__((target("avx512f,avx512dq"))) void kuai_time_part(
    const int64_t *x, long n, int64_t shift, int64_t divisor, int64_t modulus, int64_t *out) {
    const __m512i add = _mm512_set1_epi64(shift);
    const __m512i low32 = _mm512_set1_epi64(0xFFFFFFFFLL);
    const __m512d di = _mm512_set1_pd(1.0 / (double)divisor);
    const __m512d m = _mm512_set1_pd((double)modulus), mi = _mm512_set1_pd(1.0 / (double)modulus);
    for (long i = 0; i < n; i += 8) {
        __mmask8 lanes = n - i >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << (n - i)) - 1);
        __m512i v = _mm512_and_si512(_mm512_add_epi64(_mm512_maskz_loadu_epi64(lanes, x + i), add), low32);
        __m512d q = floor_divide_small(_mm512_cvtepi64_pd(v), di);
        __m512d part = _mm512_fnmadd_pd(floor_divide_small(q, mi), m, q);  // q mod modulus, exact
        _mm512_mask_storeu_epi64(out + i, lanes, _mm512_cvttpd_epi64(part));
    }
}

#else

// Other processors never reach level 2; these keep the symbols defined, with the same results.
static int test(int op, int64_t x, int64_t y) {
    switch (op) {
    case KUAI_EQ: return x == y;
    case KUAI_NE: return x != y;
    case KUAI_LT: return x < y;
    case KUAI_LE: return x <= y;
    case KUAI_GT: return x > y;
    default: return x >= y;
    }
}
long kuai_select_constant(const int64_t *a, const uint8_t *valid, long n, int op, int64_t k, int32_t *out) {
    long m = 0;
    for (long i = 0; i < n; i++) if ((!valid || valid[i]) && test(op, a[i], k)) out[m++] = (int32_t)i;
    return m;
}
long kuai_select_pair(const int64_t *a, const int64_t *b, const uint8_t *valid, long n, int op, int32_t *out) {
    long m = 0;
    for (long i = 0; i < n; i++) if ((!valid || valid[i]) && test(op, a[i], b[i])) out[m++] = (int32_t)i;
    return m;
}
long kuai_select_bits(
    const int64_t *keys, const uint8_t *valid, long n, int64_t lo, uint64_t span, const uint64_t *bits, int shift,
    int32_t *out) {
    long m = 0;
    for (long i = 0; i < n; i++) {
        uint64_t off = (uint64_t)keys[i] - (uint64_t)lo;
        if ((!valid || valid[i]) && off < span && (bits[(off >> shift) >> 6] >> ((off >> shift) & 63)) & 1)
            out[m++] = (int32_t)i;
    }
    return m;
}
long kuai_select_sum(
    const int64_t *a, const int64_t *b, const uint8_t *valid, long n, int subtract, int op, int64_t k,
    int32_t *out, int *overflow) {
    long m = 0;
    for (long i = 0; i < n; i++) {
        uint64_t x = (uint64_t)a[i], y = (uint64_t)b[i], r = subtract ? x - y : x + y;
        uint64_t sign = subtract ? ((x ^ y) & (x ^ r)) : (~(x ^ y) & (x ^ r));
        if (sign >> 63) *overflow = 1;
        if ((!valid || valid[i]) && test(op, (int64_t)r, k)) out[m++] = (int32_t)i;
    }
    return m;
}

void kuai_divide_by_constant(const int64_t *x, long n, int64_t d, int remainder, int64_t *out) {
    for (long i = 0; i < n; i++) out[i] = remainder ? x[i] % d : x[i] / d;
}

void kuai_time_part(const int64_t *x, long n, int64_t shift, int64_t divisor, int64_t modulus, int64_t *out) {
    for (long i = 0; i < n; i++) {
        uint32_t v = (uint32_t)((uint64_t)x[i] + (uint64_t)shift);
        out[i] = (int64_t)(v / (uint64_t)divisor % (uint64_t)modulus);
    }
}

#endif
