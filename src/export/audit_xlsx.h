/* A behaviour audit's results as an Excel workbook (audit_xlsx.c). */
#ifndef CH_EXPORT_AUDIT_XLSX_H
#define CH_EXPORT_AUDIT_XLSX_H

#include "core/audit.h"

typedef struct ch_audit_doc {
    const ch_school_audit *audit;
    const ch_audit_template *tmpl;
    const char *provider; /* the organisation that runs it */
    const ch_audit_results *results;
    const ch_audit_response *responses; /* oldest first */
    size_t nresponses;
    ch_date today;
} ch_audit_doc;

/* Writes the workbook to path: a summary sheet (the audit, the responses
 * per group, each question's mean or counts per group, and a chart per
 * scale question), a sheet per group asked, and every response raw. */
int ch_audit_xlsx(const ch_audit_doc *doc, const char *path, ch_error *err);

#endif
