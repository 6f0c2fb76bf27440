// System library target over Debian's liblz4-dev (LZ4 block API).
#include <lz4.h>
