// XXH3-64 of xxHash 0.8 (the header of Debian's libxxhash-dev, inlined): the block checksum of
// column files (Formats/column-file.md section 12). xxHash's SSE2 code is the x86-64 baseline;
// the AVX2 code (xxh3_avx2.c, about 1.8x as fast) runs where `kuai_vector_level()` allows it.
#include "kuai_vector.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

uint64_t kuai_xxh3_64_avx2(const void *p, size_t n, uint64_t seed);

uint64_t kuai_xxh3_64(const void *p, size_t n, uint64_t seed) {
    // kuai_vector_level() works the level out once per process and keeps it
    if (kuai_vector_level() >= 1) return kuai_xxh3_64_avx2(p, n, seed);
    return XXH3_64bits_withSeed(p, n, seed);
}
