/* The restriction notice as a PDF letter: the organisation, the date, a
 * title and the filled-in text of the policy's template, wrapped to the
 * page. */
#ifndef CH_NOTICE_H
#define CH_NOTICE_H

#include <stddef.h>

#include "core/error.h"

/* UTF-8 into Windows-1252 (Latin-1 plus the curly quotes and dashes people
 * type), the standard PDF fonts' encoding; other characters become '?'. */
void ch_pdf_cp1252(const char *s, char *out, size_t size);

/* A malloc'd PDF in *out (the caller frees it), *len bytes. */
int ch_notice_pdf(const char *organisation, const char *date, const char *title, const char *text,
                  char **out, size_t *len, ch_error *err);

#endif
