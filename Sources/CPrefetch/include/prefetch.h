// Software prefetch for hash-table probes: Swift has no spelling of __builtin_prefetch.
#ifndef KUAI_PREFETCH_H
#define KUAI_PREFETCH_H

/// Asks the processor to bring the cache line holding `address` into all cache levels for a
/// read. A hint only: it never faults, also for an address outside any mapping.
static inline void kuai_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
