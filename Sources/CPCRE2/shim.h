// System library target over Debian's libpcre2-dev (the 8-bit library: UTF-8 subjects and patterns):
// the regular expressions of regexp_matches, regexp_replace, regexp_extract and SIMILAR TO.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
