// Vector kernels for x86-64 (AVX2, AVX-512) that Swift cannot spell: byte shuffles for decoding
// bit-packed blocks (Formats/column-file.md section 9) and mask-compressed selections for
// filters. The Swift callers check `kuai_vector_level()` once, keep their scalar loops for other
// processors, and call a kernel only at a level the processor has.
#ifndef KUAI_VECTOR_H
#define KUAI_VECTOR_H

#include <stddef.h>
#include <stdint.h>

/// The vector kernels this processor and its operating system support: 0 = none, 1 = AVX2,
/// 2 = AVX-512 (F, DQ, BW, VL and VBMI) as well.
int kuai_vector_level(void);

/// Decodes `groups` groups of 8 values of `bits` bits (1...57) at `src`, group `g` starting at
/// byte `g * bits`: `out[i] = base + value i` (wrapping). Level 1 reads, for group `g`, up to the
/// byte before `g * bits + (6 * bits) / 8 + 16`; level 2 up to the byte before
/// `g * bits + (7 * bits) / 8 + 8`. The caller passes only groups whose reads stay inside its
/// buffer.
void kuai_unpack_for_avx2(const uint8_t *src, long groups, int bits, int64_t base, int64_t *out);
void kuai_unpack_for_avx512(const uint8_t *src, long groups, int bits, int64_t base, int64_t *out);

/// Level 2. Delta decoding of `groups` groups of 8 deltas packed as above (the reads of
/// `kuai_unpack_for_avx512`): `out[i] = out[i - 1] + minDelta + delta i` (wrapping), with
/// `previous` standing for `out[-1]`; returns the last value written (`previous` when none).
int64_t kuai_unpack_delta_avx512(
    const uint8_t *src, long groups, int bits, int64_t minDelta, int64_t previous, int64_t *out);

/// Level 2. The smallest and largest of `x[i]`, `i < n`, over the rows with `valid` NULL or
/// `valid[i] != 0`; `*lo > *hi` (INT64_MAX, INT64_MIN) when there is none.
void kuai_value_range(const int64_t *x, const uint8_t *valid, long n, int64_t *lo, int64_t *hi);

/// XXH3-64 (xxHash 0.8) of `n` bytes at `p` with `seed`: the block checksum of column files
/// (Formats/column-file.md section 12). Any processor; the AVX2 code where it runs.
uint64_t kuai_xxh3_64(const void *p, size_t n, uint64_t seed);

/// Comparison operators of the selections (signed 64-bit).
enum kuai_compare { KUAI_EQ = 0, KUAI_NE = 1, KUAI_LT = 2, KUAI_LE = 3, KUAI_GT = 4, KUAI_GE = 5 };

/// Level 2. Writes to `out` (room for `n` entries) the rows `i` of `0 ..< n`, ascending, where
/// `valid` is NULL or `valid[i] != 0`, and the test holds; returns how many:
/// - `kuai_select_constant`: `a[i] op k`;
/// - `kuai_select_pair`: `a[i] op b[i]`;
/// - `kuai_select_sum`: `(a[i] + b[i]) op k`, or `(a[i] - b[i]) op k` when `subtract`, in
///   wrapping arithmetic; `*overflow` is set to 1 when some row's sum or difference overflowed
///   (valid or not), else left as it is.
long kuai_select_constant(const int64_t *a, const uint8_t *valid, long n, int op, int64_t k, int32_t *out);
long kuai_select_pair(const int64_t *a, const int64_t *b, const uint8_t *valid, long n, int op, int32_t *out);
long kuai_select_sum(
    const int64_t *a, const int64_t *b, const uint8_t *valid, long n, int subtract, int op, int64_t k,
    int32_t *out, int *overflow);

/// Level 2. Writes to `out` (room for `n` entries) the rows `i` of `0 ..< n`, ascending, where
/// `valid` is NULL or `valid[i] != 0`, `d = keys[i] - lo` (wrapping, unsigned) is below `span`,
/// and bit `d >> shift` of the bitmap `bits` is set (bit `j` is bit `j % 64` of word `j / 64`;
/// `bits` holds bit `(span - 1) >> shift`); returns how many. A key-presence bitmap is tested
/// with `shift` 0, its summary (one bit per word) with `shift` 6.
long kuai_select_bits(
    const int64_t *keys, const uint8_t *valid, long n, int64_t lo, uint64_t span, const uint64_t *bits, int shift,
    int32_t *out);

/// Level 2. `out[i] = x[i] / d` truncated toward zero (`remainder` 0), or `x[i] % d` with the
/// sign of `x[i]` (`remainder` 1), for `i < n`. Exact for |x[i]| < 2^52 and 2 <= |d| < 2^52, which
/// the caller checks: the quotient comes from a double product by 1/|d|, corrected by one step
/// after an exact fused multiply-add gives the remainder.
void kuai_divide_by_constant(const int64_t *x, long n, int64_t d, int remainder, int64_t *out);

/// Level 2. `out[i] = v / divisor % modulus` with `v` the low 32 bits, unsigned, of
/// `x[i] + shift` (wrapping), for `i < n`; 1 <= divisor, modulus < 2^32. A part of the time of day
/// counted from a midnight (the hour of milliseconds: divisor 3,600,000, modulus 24).
void kuai_time_part(const int64_t *x, long n, int64_t shift, int64_t divisor, int64_t modulus, int64_t *out);

#endif
