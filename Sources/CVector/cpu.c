#include "kuai_vector.h"

#if defined(__x86_64__)
#include <cpuid.h>
#if defined(__has_include)
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>
#define KUAI_GLIBC_CPU_FEATURES 1
#endif
#endif

#if !defined(KUAI_GLIBC_CPU_FEATURES)
static uint64_t xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}
#endif

// CPUID leaves the virtual machine to the hypervisor on many hosts (microseconds each): the
// level is worked out once per process and kept (every thread computes the same value).
static int detect(void);

int kuai_vector_level(void) {
    static int known = -1;
    int level = __atomic_load_n(&known, __ATOMIC_RELAXED);
    if (level < 0) {
        level = detect();
        __atomic_store_n(&known, level, __ATOMIC_RELAXED);
    }
    return level;
}

static int detect(void) {
#if defined(KUAI_GLIBC_CPU_FEATURES)
    // glibc (2.33 on) works the features out at start-up, CPUID and XCR0 both: a feature is
    // "active" when the processor has it and the OS saves its register state. Reading them costs
    // no further CPUID.
    if (!CPU_FEATURE_ACTIVE(AVX2)) return 0;
    if (CPU_FEATURE_ACTIVE(AVX512F) && CPU_FEATURE_ACTIVE(AVX512DQ) && CPU_FEATURE_ACTIVE(AVX512BW) &&
        CPU_FEATURE_ACTIVE(AVX512VL) && CPU_FEATURE_ACTIVE(AVX512_VBMI))
        return 2;
    return 1;
#else
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const unsigned osxsave = 1u << 27, avx = 1u << 28;
    if ((c & osxsave) == 0 || (c & avx) == 0) return 0;
    uint64_t xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return 0;  // the OS saves SSE and AVX state
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    const unsigned avx2 = 1u << 5, avx512f = 1u << 16, avx512dq = 1u << 17, avx512bw = 1u << 30;
    const unsigned avx512vl = 1u << 31;
    const unsigned vbmi = 1u << 1;
    if ((b & avx2) == 0) return 0;
    // AVX-512 also needs the OS to save the opmask and upper-register state (XCR0 bits 5-7).
    if ((b & avx512f) && (b & avx512dq) && (b & avx512bw) && (b & avx512vl) && (c & vbmi) && (xcr0 & 0xE0) == 0xE0) return 2;
    return 1;
#endif
}

#else

int kuai_vector_level(void) { return 0; }

#endif
