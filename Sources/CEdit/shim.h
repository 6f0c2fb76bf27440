// System library target over Debian's libedit-dev (BSD editline: line editing and history).
#include <histedit.h>
