// The functions of this target are static inline in include/prefetch.h; a C target needs one
// translation unit.
#include "prefetch.h"
