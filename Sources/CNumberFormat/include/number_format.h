// C's printf conversions of one DOUBLE (%e %f %g %a and their flags), for printf() and format():
// Swift has no non-variadic spelling of them, and these rules (rounding of the exact binary
// value, exponent digits) are what DuckDB's fmt library reproduces.
#ifndef KUAI_NUMBER_FORMAT_H
#define KUAI_NUMBER_FORMAT_H

#include <stddef.h>

/// Writes `value` as printf's `%<flags>.<precision><conversion>` (precision < 0: none) into
/// `out` (at most `capacity` bytes, NUL-terminated) and returns the length the full text has (as
/// snprintf: larger than `capacity - 1` when it did not fit). `flags` is a NUL-terminated subset of
/// "+ #"; `conversion` one of e E f F g G a A.
int kuai_format_double(char *out, size_t capacity, const char *flags, int precision, char conversion, double value);

#endif
