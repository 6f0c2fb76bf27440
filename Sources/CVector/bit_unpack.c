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
// the 8 bytes from its value's first byte on, then shift, mask and base as above.
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) void kuai_unpack_for_avx512(
    const uint8_t *src, long groups, int bits, int64_t base, int64_t *out) {
    uint8_t permute[64];
    uint64_t shift[8];
    for (int v = 0; v < 8; v++) {
        int at = (v * bits) >> 3;
        for (int j = 0; j < 8; j++) permute[v * 8 + j] = (uint8_t)(at + j);
        shift[v] = (uint64_t)((v * bits) & 7);
    }
    const __m512i pm = _mm512_loadu_si512(permute);
    const __m512i s = _mm512_loadu_si512(shift);
    const __m512i mask = _mm512_set1_epi64((int64_t)((1ULL << bits) - 1));
    const __m512i b = _mm512_set1_epi64(base);
    const int need = ((7 * bits) >> 3) + 8;  // <= 57 bytes
    const __mmask64 loadMask = (1ULL << need) - 1;
    const uint8_t *p = src;
    for (long g = 0; g < groups; g++) {
        __m512i x = _mm512_maskz_loadu_epi8(loadMask, p);
        x = _mm512_permutexvar_epi8(pm, x);
        x = _mm512_add_epi64(_mm512_and_si512(_mm512_srlv_epi64(x, s), mask), b);
        _mm512_storeu_si512(out, x);
        p += bits;
        out += 8;
    }
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

#endif
