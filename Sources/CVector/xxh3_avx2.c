// XXH3-64 with xxHash's AVX2 accumulator loop (see xxh3.c): every function of this file, those
// of the inlined header included, is compiled for AVX2; only `kuai_xxh3_64` calls it, and only
// on a processor with AVX2.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#define XXH_INLINE_ALL
#define XXH_VECTOR 2  // XXH_AVX2
#include <xxhash.h>

uint64_t kuai_xxh3_64_avx2(const void *p, size_t n, uint64_t seed) { return XXH3_64bits_withSeed(p, n, seed); }
#pragma clang attribute pop
