// System library target over Debian's libsnappy-dev (the C API of snappy).
#include <snappy-c.h>
