/* Termly statements of purchased hours: laid out once from what the store
 * holds, then written as JSON (by the HTTP edge), an Excel workbook or a PDF. The core
 * decides the figures (core/ledger.h); this module only reads and lays out. */
#ifndef CH_EXPORT_STATEMENT_H
#define CH_EXPORT_STATEMENT_H

#include "core/ledger.h"
#include "core/tz.h"
#include "store/store.h"

typedef struct ch_statement_line {
    ch_date date;     /* local date of the movement */
    const char *kind; /* purchase, drawdown, ... */
    const char *what; /* for a person: "Visit on 24 Nov 2026: delivered" */
    int64_t minutes;  /* signed */
    int64_t balance;  /* after this movement */
} ch_statement_line;

/* What the period did not charge, or charged to us: a visit the school
 * cancelled in good time, a visit we cancelled, a shortfall recorded as
 * owed. None of them moves the balance; the last two are owed back. */
typedef struct ch_statement_note {
    ch_date date;
    const char *what;
    int64_t minutes;
    bool owed; /* the provider owes it back */
} ch_statement_note;

typedef struct ch_statement_doc {
    const char *provider; /* the organisation whose charter it is */
    const char *service_name;
    ch_contract contract;
    char term[32];
    ch_date first, last; /* the period, inclusive */
    ch_statement figures;
    ch_statement_line *lines;
    size_t nlines;
    ch_visit *booked; /* visits still booked from the period's start on */
    size_t nbooked;
    ch_statement_note *notes; /* in the period, in time order */
    size_t nnotes;
    int64_t owed; /* minutes the provider owes, the year to the period's end */
    ch_date issued;
    const ch_tz *tz;
} ch_statement_doc;

/* Lays out the statement for term ("autumn-2026") from a contract's ledger
 * (in time order) and visits, on the service's calendar (cal: its terms and
 * zone). Lines and lists are allocated in arena; strings are borrowed from
 * the inputs. CH_E_INVALID for a term that cannot be read. */
int ch_statement_doc_build(const ch_contract *contract, const ch_ledger_row *entries, size_t n,
                           const ch_visit *visits, size_t nvisits, const char *provider,
                           const char *service_name, const ch_calendar *cal, const char *term,
                           ch_time now, ch_arena *arena, ch_statement_doc *out, ch_error *err);

/* Writes the statement as an Excel workbook to path. */
int ch_statement_xlsx(const ch_statement_doc *doc, const char *path, ch_error *err);

/* Renders the statement as a PDF into a malloc'd buffer the caller frees. */
int ch_statement_pdf(const ch_statement_doc *doc, char **out, size_t *len, ch_error *err);

/* Reads a whole file written by a renderer, for serving it. The buffer is
 * malloc'd; the caller frees it (and removes the file). */
int ch_export_slurp(const char *path, char **out, size_t *len, ch_error *err);

/* libxlsxwriter and libharu write files: write(ctx, path, err) is run on a
 * fresh file of our own in the temporary folder (named after stem), which
 * is read into *out and removed. *out is malloc'd; the caller frees it. */
typedef int (*ch_export_writer)(const void *ctx, const char *path, ch_error *err);
int ch_export_to_memory(const char *stem, ch_export_writer write, const void *ctx, char **out,
                        size_t *len, ch_error *err);

#endif
