/* Text from outside: checks that bytes are UTF-8 before anything stores or
 * shows them. */
#ifndef CH_TEXT_H
#define CH_TEXT_H

#include <stddef.h>

/* Offset of the first byte that is not part of valid UTF-8 (a NUL counts as
 * invalid), or len when all of it is valid. */
size_t ch_utf8_invalid_at(const char *text, size_t len);

#endif
