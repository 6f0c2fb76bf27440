// System library target over Debian's zlib1g-dev (deflate / inflate, gzip framing).
#include <zlib.h>
