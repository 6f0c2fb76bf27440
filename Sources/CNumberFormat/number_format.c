#include "number_format.h"

#include <stdio.h>
#include <string.h>

int kuai_format_double(char *out, size_t capacity, const char *flags, int precision, char conversion, double value) {
    char spec[16];
    size_t n = 0;
    spec[n++] = '%';
    for (const char *f = flags; *f && n < 8; f++) spec[n++] = *f;
    if (precision >= 0) {
        spec[n++] = '.';
        spec[n++] = '*';
    }
    spec[n++] = conversion;
    spec[n] = 0;
    if (precision >= 0) return snprintf(out, capacity, spec, precision, value);
    return snprintf(out, capacity, spec, value);
}
