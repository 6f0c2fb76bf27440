// System library target over Debian's libzstd-dev (ZSTD_compress / ZSTD_decompress).
#include <zstd.h>
