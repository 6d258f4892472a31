/* Text from outside: checks that bytes are UTF-8 before anything stores or
 * shows them. */
#ifndef CH_TEXT_H
#define CH_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Offset of the first byte that is not part of valid UTF-8 (a NUL counts as
 * invalid), or len when all of it is valid. */
size_t ch_utf8_invalid_at(const char *text, size_t len);

/* Whether s holds something other than spaces, tabs and line breaks (a
 * reason of blanks is no reason). NULL is blank. */
bool ch_text_said(const char *s);

/* How many bytes of s, at most max, end on a whole UTF-8 character: where
 * text is cut short to fit and must stay UTF-8. */
size_t ch_utf8_prefix(const char *s, size_t max);

/* How many bytes of s go on a line of at most max bytes: up to the last
 * space that fits, so words stay whole, or a whole-character cut when one
 * word is longer than the line. The caller skips the spaces after it. */
size_t ch_text_line(const char *s, size_t max);

#endif
