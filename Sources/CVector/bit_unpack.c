#include "kuai_vector.h"

#if defined(__x86_64__)
#include <immintrin.h>

// Values 0-3 of a group start at bit 0, values 4-7 at bit 4 * bits: two sets of four 64-bit
// lanes. Each 128-bit half of a set holds two values; it is loaded from the byte where its first
// value starts, and a byte shuffle gives each lane the 8 bytes from its value's first byte on
// (bits <= 57: a value and its bit shift fit those 8 bytes). A variable shift and a mask finish.
__attribute__((target("avx2"))) void kuai_unpack_for_avx2(
    const uint8_t *src, long groups, int bits, int64_t base, int64_t *out) {
    uint8_t shuffle[2][32];
    uint64_t shift[2][4];
    int start[2][2];
    for (int s = 0; s < 2; s++) {
        for (int half = 0; half < 2; half++) {
            int first = s * 4 + half * 2;
            int at = (first * bits) >> 3;
            start[s][half] = at;
            for (int k = 0; k < 2; k++) {
                int v = first + k;
                int rel = ((v * bits) >> 3) - at;
                for (int j = 0; j < 8; j++) shuffle[s][half * 16 + k * 8 + j] = (uint8_t)(rel + j);
                shift[s][half * 2 + k] = (uint64_t)((v * bits) & 7);
            }
        }
    }
    const __m256i m0 = _mm256_loadu_si256((const __m256i *)shuffle[0]);
    const __m256i m1 = _mm256_loadu_si256((const __m256i *)shuffle[1]);
    const __m256i s0 = _mm256_loadu_si256((const __m256i *)shift[0]);
    const __m256i s1 = _mm256_loadu_si256((const __m256i *)shift[1]);
    const __m256i mask = _mm256_set1_epi64x((int64_t)((1ULL << bits) - 1));
    const __m256i b = _mm256_set1_epi64x(base);
    const int a0 = start[0][0], a1 = start[0][1], b0 = start[1][0], b1 = start[1][1];
    const uint8_t *p = src;
    for (long g = 0; g < groups; g++) {
        __m256i x = _mm256_loadu2_m128i((const __m128i *)(p + a1), (const __m128i *)(p + a0));
        __m256i y = _mm256_loadu2_m128i((const __m128i *)(p + b1), (const __m128i *)(p + b0));
        x = _mm256_shuffle_epi8(x, m0);
        y = _mm256_shuffle_epi8(y, m1);
        x = _mm256_add_epi64(_mm256_and_si256(_mm256_srlv_epi64(x, s0), mask), b);
        y = _mm256_add_epi64(_mm256_and_si256(_mm256_srlv_epi64(y, s1), mask), b);
        _mm256_storeu_si256((__m256i *)out, x);
        _mm256_storeu_si256((__m256i *)(out + 4), y);
        p += bits;
        out += 8;
    }
}

// One masked load of the group's bytes, one byte permute giving each of the eight 64-bit lanes
// the 8 bytes from its value's first byte on, then a variable shift and a mask: the group's eight
// packed values. The permute, shifts, mask and load mask depend on the width only.
#define KUAI_VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi")))

typedef struct {
    __m512i permute, shift, mask;
    __mmask64 load;
} group_decoder;

KUAI_VBMI static inline group_decoder group_decoder_of(int bits) {
    uint8_t permute[64];
    uint64_t shift[8];
    for (int v = 0; v < 8; v++) {
        int at = (v * bits) >> 3;
        for (int j = 0; j < 8; j++) permute[v * 8 + j] = (uint8_t)(at + j);
        shift[v] = (uint64_t)((v * bits) & 7);
    }
    const int need = ((7 * bits) >> 3) + 8;  // <= 57 bytes
    group_decoder d = {_mm512_loadu_si512(permute), _mm512_loadu_si512(shift),
                       _mm512_set1_epi64((int64_t)((1ULL << bits) - 1)), (1ULL << need) - 1};
    return d;
}

KUAI_VBMI static inline __attribute__((always_inline)) __m512i decode_group(const group_decoder *d, const uint8_t *p) {
    __m512i x = _mm512_permutexvar_epi8(d->permute, _mm512_maskz_loadu_epi8(d->load, p));
    return _mm512_and_si512(_mm512_srlv_epi64(x, d->shift), d->mask);
}

KUAI_VBMI void kuai_unpack_for_avx512(const uint8_t *src, long groups, int bits, int64_t base, int64_t *out) {
    const group_decoder d = group_decoder_of(bits);
    const __m512i b = _mm512_set1_epi64(base);
    for (long g = 0; g < groups; g++) {
        _mm512_storeu_si512(out, _mm512_add_epi64(decode_group(&d, src), b));
        src += bits;
        out += 8;
    }
}

// Delta decoding (encoding 3): each group's eight deltas plus `minDelta`, summed within the
// register in three shift-and-add steps, and the running value (the last lane of the previous
// group) added to every lane.
KUAI_VBMI int64_t kuai_unpack_delta_avx512(
    const uint8_t *src, long groups, int bits, int64_t minDelta, int64_t previous, int64_t *out) {
    const group_decoder d = group_decoder_of(bits);
    const __m512i b = _mm512_set1_epi64(minDelta);
    const __m512i zero = _mm512_setzero_si512();
    const __m512i last = _mm512_set1_epi64(7);
    __m512i run = _mm512_set1_epi64(previous);
    for (long g = 0; g < groups; g++) {
        __m512i x = _mm512_add_epi64(decode_group(&d, src), b);
        x = _mm512_add_epi64(x, _mm512_alignr_epi64(x, zero, 7));  // + lane i-1
        x = _mm512_add_epi64(x, _mm512_alignr_epi64(x, zero, 6));  // + lane i-2
        x = _mm512_add_epi64(x, _mm512_alignr_epi64(x, zero, 4));  // + lane i-4
        x = _mm512_add_epi64(x, run);
        _mm512_storeu_si512(out, x);
        run = _mm512_permutexvar_epi64(last, x);
        src += bits;
        out += 8;
    }
    return _mm_cvtsi128_si64(_mm512_castsi512_si128(run));
}

// The smallest and largest valid value, eight lanes at a time.
__attribute__((target("avx512f,avx512bw,avx512vl"))) void kuai_value_range(
    const int64_t *x, const uint8_t *valid, long n, int64_t *lo, int64_t *hi) {
    __m512i mn = _mm512_set1_epi64(INT64_MAX), mx = _mm512_set1_epi64(INT64_MIN);
    for (long i = 0; i < n; i += 8) {
        __mmask8 lanes = n - i >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << (n - i)) - 1);
        if (valid) {
            __m128i v = _mm_maskz_loadu_epi8((__mmask16)lanes, valid + i);
            lanes &= (__mmask8)_mm_test_epi8_mask(v, v);
        }
        __m512i v = _mm512_maskz_loadu_epi64(lanes, x + i);
        mn = _mm512_mask_min_epi64(mn, lanes, mn, v);
        mx = _mm512_mask_max_epi64(mx, lanes, mx, v);
    }
    *lo = _mm512_reduce_min_epi64(mn);
    *hi = _mm512_reduce_max_epi64(mx);
}

#else

// Other processors: the same results one value at a time (never called while the level is 0).
static void unpack_for_scalar(const uint8_t *src, long groups, int bits, int64_t base, int64_t *out) {
    const uint64_t mask = (1ULL << bits) - 1;
    for (long i = 0; i < groups * 8; i++) {
        long bit = i * bits;
        uint64_t word = 0;
        for (int j = 0; j < 8; j++) word |= (uint64_t)src[(bit >> 3) + j] << (8 * j);
        out[i] = (int64_t)((uint64_t)base + ((word >> (bit & 7)) & mask));
    }
}
void kuai_unpack_for_avx2(const uint8_t *src, long groups, int bits, int64_t base, int64_t *out) {
    unpack_for_scalar(src, groups, bits, base, out);
}
void kuai_unpack_for_avx512(const uint8_t *src, long groups, int bits, int64_t base, int64_t *out) {
    unpack_for_scalar(src, groups, bits, base, out);
}

int64_t kuai_unpack_delta_avx512(
    const uint8_t *src, long groups, int bits, int64_t minDelta, int64_t previous, int64_t *out) {
    unpack_for_scalar(src, groups, bits, minDelta, out);
    for (long i = 0; i < groups * 8; i++) out[i] = previous = (int64_t)((uint64_t)previous + (uint64_t)out[i]);
    return previous;
}
void kuai_value_range(const int64_t *x, const uint8_t *valid, long n, int64_t *lo, int64_t *hi) {
    int64_t a = INT64_MAX, b = INT64_MIN;
    for (long i = 0; i < n; i++) {
        if (valid && !valid[i]) continue;
        if (x[i] < a) a = x[i];
        if (x[i] > b) b = x[i];
    }
    *lo = a;
    *hi = b;
}

#endif
