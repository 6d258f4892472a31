/* Laying out a termly statement: the period from the term's name, the
 * figures from the core, one line per movement with the running balance,
 * and the visits still to come. */
#include "export/statement.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/civil.h"
#include "core/timefmt.h"

/* The first instant of local date d in tz. */
static ch_time local_midnight(const ch_tz *tz, ch_date d)
{
    ch_time t;
    bool ambiguous;
    if (ch_tz_from_local(tz, d, 0, &t, &ambiguous))
        t = (ch_time)d * CH_DAY_SECS;
    return t;
}

static const char *kind_label(const char *kind)
{
    static const struct {
        const char *kind, *label;
    } labels[] = {
        {"purchase", "Hours bought"}, {"drawdown", "Time used"},
        {"adjustment", "Adjustment"}, {"rollover", "Carried between years"},
        {"refund", "Refunded"},       {"lapse", "Lapsed at the year end"},
        {"owed", "Owed by us"},
    };
    for (size_t i = 0; i < sizeof(labels) / sizeof(*labels); i++)
        if (strcmp(kind, labels[i].kind) == 0)
            return labels[i].label;
    return kind;
}

static void note(ch_statement_doc *doc, ch_time at, const char *what, int64_t minutes, bool owed)
{
    ch_statement_note *x = &doc->notes[doc->nnotes++];
    int32_t secs;
    ch_tz_to_local(doc->tz, at, &x->date, &secs);
    x->what = what && *what ? what : "Owed by us";
    x->minutes = minutes;
    x->owed = owed;
}

/* A visit the school cancelled in good time, or we cancelled: not charged,
 * and what we cancelled is owed (counted to the period's end). */
static void visit_note(ch_statement_doc *doc, const ch_visit *v, ch_time from, ch_time to,
                       ch_arena *arena)
{
    bool ours = strcmp(v->status, "cancelled-by-provider") == 0;
    bool early = strcmp(v->status, "cancelled-early") == 0;
    if ((!ours && !early) || v->starts_at >= to)
        return;
    if (ours)
        doc->owed += v->booked;
    if (v->starts_at < from)
        return;
    char day[32], text[200];
    ch_date d;
    int32_t secs;
    ch_tz_to_local(doc->tz, v->starts_at, &d, &secs);
    ch_date_format_long(d, day, sizeof(day));
    snprintf(text, sizeof(text), "%s on %s: %s", ours ? "Visit we cancelled" : "Visit", day,
             ours ? "not charged, owed back" : "cancelled by the school in good time, not charged");
    const char *what = ch_arena_strdup(arena, text);
    note(doc, v->starts_at, what ? what : "Visit cancelled", v->booked, ours);
}

/* By date, keeping the order of equal dates (few notes: insertion). */
static void sort_notes(ch_statement_note *notes, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        ch_statement_note x = notes[i];
        size_t k = i;
        for (; k > 0 && notes[k - 1].date > x.date; k--)
            notes[k] = notes[k - 1];
        notes[k] = x;
    }
}

int ch_statement_doc_build(const ch_contract *contract, const ch_ledger_row *entries, size_t n,
                           const ch_visit *visits, size_t nvisits, const char *provider,
                           const char *service_name, const ch_calendar *cal, const char *term,
                           ch_time now, ch_arena *arena, ch_statement_doc *out, ch_error *err)
{
    size_t nterms = 0;
    const ch_date_range *terms = cal ? ch_calendar_terms(cal, &nterms) : NULL;
    memset(out, 0, sizeof(*out));
    int rc = ch_term_period(terms, nterms, term, &out->first, &out->last, err);
    if (rc)
        return rc;
    out->tz = ch_calendar_tz(cal);
    out->provider = provider;
    out->service_name = service_name;
    out->contract = *contract;
    snprintf(out->term, sizeof(out->term), "%s", term);
    ch_time from = local_midnight(out->tz, out->first);
    ch_time to = local_midnight(out->tz, out->last + 1);
    int32_t secs;
    ch_tz_to_local(out->tz, now, &out->issued, &secs);

    /* Owed entries are notes beside the movements, not movements. */
    ch_entry *e = ch_arena_alloc(arena, (n + 1) * sizeof(*e));
    const ch_ledger_row **moves = ch_arena_alloc(arena, (n + 1) * sizeof(*moves));
    out->notes = ch_arena_alloc(arena, (n + nvisits + 1) * sizeof(*out->notes));
    out->lines = ch_arena_alloc(arena, (n + 1) * sizeof(*out->lines));
    out->booked = ch_arena_alloc(arena, (nvisits + 1) * sizeof(*out->booked));
    if (!e || !moves || !out->notes || !out->lines || !out->booked)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    size_t nmoves = 0;
    for (size_t i = 0; i < n; i++) {
        ch_entry_kind k = CH_ENTRY_ADJUSTMENT;
        ch_entry_kind_parse(entries[i].kind, &k);
        if (k == CH_ENTRY_OWED) {
            if (entries[i].at < to)
                out->owed += entries[i].minutes;
            if (entries[i].at >= from && entries[i].at < to)
                note(out, entries[i].at, entries[i].reason, entries[i].minutes, true);
            continue;
        }
        e[nmoves] = (ch_entry){k, entries[i].minutes, entries[i].at};
        moves[nmoves++] = &entries[i];
    }
    ch_statement_build(e, nmoves, from, to, &out->figures);
    for (size_t i = 0; i < nvisits; i++)
        visit_note(out, &visits[i], from, to, arena);
    sort_notes(out->notes, out->nnotes);

    int64_t balance = out->figures.opening;
    for (size_t i = 0; i < out->figures.count; i++) {
        const ch_ledger_row *row = moves[out->figures.first + i];
        ch_statement_line *l = &out->lines[out->nlines++];
        ch_tz_to_local(out->tz, row->at, &l->date, &secs);
        l->kind = row->kind;
        l->what = row->reason && *row->reason ? row->reason : kind_label(row->kind);
        l->minutes = row->minutes;
        balance += row->minutes;
        l->balance = balance;
    }
    for (size_t i = 0; i < nvisits; i++)
        if (strcmp(visits[i].status, "booked") == 0 && visits[i].starts_at >= from)
            out->booked[out->nbooked++] = visits[i];
    return CH_OK;
}

int ch_export_to_memory(const char *stem, ch_export_writer write, const void *ctx, char **out,
                        size_t *len, ch_error *err)
{
    const char *tmp = getenv("TMPDIR");
    char path[256];
    int k = snprintf(path, sizeof(path), "%s/charter-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", stem);
    if (k < 0 || (size_t)k >= sizeof(path))
        return ch_error_set(err, CH_E_IO, "the temporary folder's name is too long");
    int fd = mkstemp(path);
    if (fd < 0)
        return ch_error_set(err, CH_E_IO, "no temporary file for the %s: %s", stem,
                            strerror(errno));
    close(fd);
    int rc = write(ctx, path, err);
    if (!rc)
        rc = ch_export_slurp(path, out, len, err);
    remove(path);
    return rc;
}

int ch_export_slurp(const char *path, char **out, size_t *len, ch_error *err)
{
    int rc = CH_OK;
    char *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ch_error_set(err, CH_E_IO, "cannot read %s: %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) || ftell(f) < 0) {
        rc = ch_error_set(err, CH_E_IO, "cannot read %s", path);
        goto out;
    }
    long size = ftell(f);
    rewind(f);
    if (!(buf = malloc((size_t)size + 1))) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
        rc = ch_error_set(err, CH_E_IO, "cannot read %s", path);
        free(buf);
        buf = NULL;
        goto out;
    }
    *out = buf;
    *len = (size_t)size;
out:
    fclose(f);
    return rc;
}
