/* A subject access export: everything held about a person as one JSON
 * document (redacted as core/sar.h decides), the same as a readable PDF,
 * and both with the person's files in a zip. */
#ifndef CH_EXPORT_SAR_H
#define CH_EXPORT_SAR_H

#include <jansson.h>

#include "core/tz.h"
#include "store/store.h"

/* The charter an export speaks for: its time zone, on whose clock the PDF
 * reads times (tz NULL gives UTC), the zone's name ("Europe/London") and
 * the organisation (NULL when unknown). */
typedef struct ch_sar_zone {
    const ch_tz *tz;
    const char *name, *organisation;
} ch_sar_zone;

/* The document (new reference) for bundle b, made at now for SAR case
 * case_id (0 for a preview) to zone's organisation, saying which services'
 * records it holds; strings it holds are copied. NULL when out of
 * memory. */
json_t *ch_sar_document(const ch_sar_bundle *b, int64_t case_id, ch_time now,
                        const ch_sar_zone *zone, ch_arena *arena);

/* doc as a PDF, times on zone's clock; *out is malloc'd, the caller frees
 * it. */
int ch_sar_pdf(const json_t *doc, const ch_sar_zone *zone, char **out, size_t *len, ch_error *err);

/* The zip: subject-access.json, subject-access.pdf and each file of b
 * under attachments/ (named as the document's "file" members say). *out
 * is malloc'd; the caller frees it. */
int ch_sar_zip(const ch_sar_bundle *b, int64_t case_id, ch_time now, const ch_sar_zone *zone,
               ch_arena *arena, char **out, size_t *len, ch_error *err);

#endif
