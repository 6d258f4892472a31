/* The case list's SQL, the same for both backends: a page is read as index
 * ranges already in id order, merged, so it costs its own length and not
 * the number of cases; its count is summed from the maintained case_counts
 * table, so it costs the number of (service, kind, status, officer) groups. */
#include "store/backend.h"

#include <stdio.h>
#include <string.h>

/* The statuses a case can be in: a list that names no status is the union
 * of one index range for each. */
static const char *const statuses[] = {"open", "paused", "closed"};

/* At most this many visible services are read as a range each; more, and
 * they are likely to be a large share of all cases, so one range over
 * every case, filtered, stops after about as many rows. */
enum { RANGED_SERVICES = 16 };

static int param_text(ch_list_sql *q, const char *s)
{
    q->params[q->nparams] = (ch_list_param){.text = s};
    return ++q->nparams;
}

static int param_int(ch_list_sql *q, int64_t v)
{
    q->params[q->nparams] = (ch_list_param){.num = v};
    return ++q->nparams;
}

#define ADD(...)                                                                                   \
    (q->used += (size_t)snprintf(                                                                  \
         q->sql + q->used, q->used < sizeof(q->sql) ? sizeof(q->sql) - q->used : 0, __VA_ARGS__))

/* The parameters every part of the query shares, bound once. */
typedef struct shared {
    int services; /* the first of the visible services, 0 for none */
    int service, kind, status, officer;
    int window; /* a page's limit and offset together: the most one part can give */
} shared;

/* " AND column IN (…)" over the n parameters from first. */
static void in_list(ch_list_sql *q, const char *column, int first, size_t n)
{
    ADD(" AND %s IN (", column);
    for (size_t i = 0; i < n; i++)
        ADD("%s%c%d", i ? ", " : "", q->mark, first + (int)i);
    ADD(")");
}

/* The filter's conditions on cases or (counts) on case_counts, where no
 * officer is 0 rather than NULL; each left out when skip names it (the
 * part being written fixes it). */
enum { SKIP_SERVICE = 1, SKIP_KIND = 2, SKIP_STATUS = 4, SKIP_OFFICER = 8, SKIP_IN = 16 };

static void conditions(ch_list_sql *q, const ch_case_filter *f, const shared *s, bool counts,
                       int skip)
{
    const char *officer = counts ? "officer" : "officer_id";
    /* On cases the visible services only filter the range a part reads:
     * written so no index can serve them, PostgreSQL never trades that
     * range, read newest first and stopped early, for all their cases. */
    if (s->services && !(skip & SKIP_IN))
        in_list(q, counts ? "service" : "(service || '')", s->services, f->nservices);
    if (s->service && !(skip & SKIP_SERVICE))
        ADD(" AND service = %c%d", q->mark, s->service);
    if (s->kind && !(skip & SKIP_KIND))
        ADD(" AND kind = %c%d", q->mark, s->kind);
    if (s->status && !(skip & SKIP_STATUS))
        ADD(" AND status = %c%d", q->mark, s->status);
    if (skip & SKIP_OFFICER)
        return;
    if (s->officer)
        ADD(" AND %s = %c%d", officer, q->mark, s->officer);
    else if (f->officer_id < 0)
        ADD(" AND %s", counts ? "officer = 0" : "officer_id IS NULL");
}

/* Whether name is among the n services. */
static bool listed(const char *const *services, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(services[i], name) == 0)
            return true;
    return false;
}

static void count_sql(ch_list_sql *q, const ch_case_filter *f, const shared *s)
{
    ADD("SELECT CAST(coalesce(sum(n), 0) AS BIGINT)");
    if (f->hide_staff_named) {
        /* Complaints naming staff are few; each is looked up by id. */
        ADD(" - (SELECT count(*) FROM cases WHERE id IN (SELECT case_id FROM case_staff)"
            " AND kind = 'complaint'");
        conditions(q, f, s, false, 0);
        ADD(")");
    }
    ADD(" FROM case_counts WHERE 1 = 1");
    conditions(q, f, s, true, 0);
}

/* One part of a page: the newest ids, as many as the page reaches, in one
 * index range, lead fixing its first column and status (NULL for any) its
 * second. Each part stops by itself, so the page costs the parts times the
 * page, however the database puts the parts together. */
static void part_sql(ch_list_sql *q, const ch_case_filter *f, const shared *s, const char *lead,
                     const char *status, int skip)
{
    ADD("%sSELECT id FROM (SELECT id FROM cases WHERE 1 = 1%s", q->parts ? " UNION ALL " : "",
        lead);
    if (status)
        ADD(" AND status = '%s'", status);
    conditions(q, f, s, false, skip | (status ? SKIP_STATUS : 0));
    if (f->hide_staff_named)
        ADD("%s", CH_STORE_HIDE_STAFF_NAMED);
    ADD(" ORDER BY id DESC LIMIT %c%d) AS p%d", q->mark, s->window, q->parts++);
}

/* The parts for one leading condition: one, or one per status when the
 * filter names none. */
static void parts_sql(ch_list_sql *q, const ch_case_filter *f, const shared *s, const char *lead,
                      int skip)
{
    if (s->status) {
        part_sql(q, f, s, lead, NULL, skip);
        return;
    }
    for (size_t i = 0; i < sizeof(statuses) / sizeof(*statuses); i++)
        part_sql(q, f, s, lead, statuses[i], skip);
}

static void page_sql(ch_list_sql *q, const ch_case_filter *f, const shared *all,
                     const char *columns)
{
    char lead[64];
    shared page = *all, *s = &page;
    page.window = param_int(q, (int64_t)(f->limit + f->offset));
    ADD("SELECT %s FROM cases WHERE id IN (SELECT id FROM (", columns);
    if (s->service) {
        snprintf(lead, sizeof(lead), " AND service = %c%d", q->mark, s->service);
        parts_sql(q, f, s, lead, SKIP_SERVICE);
    } else if (f->officer_id) {
        if (s->officer)
            snprintf(lead, sizeof(lead), " AND officer_id = %c%d", q->mark, s->officer);
        else
            snprintf(lead, sizeof(lead), " AND officer_id IS NULL");
        parts_sql(q, f, s, lead, SKIP_OFFICER);
    } else if (s->kind) {
        snprintf(lead, sizeof(lead), " AND kind = %c%d", q->mark, s->kind);
        parts_sql(q, f, s, lead, SKIP_KIND);
    } else if (s->services && f->nservices <= RANGED_SERVICES) {
        for (size_t i = 0; i < f->nservices; i++) {
            snprintf(lead, sizeof(lead), " AND service = %c%d", q->mark, s->services + (int)i);
            parts_sql(q, f, s, lead, SKIP_IN);
        }
    } else {
        part_sql(q, f, s, "", NULL, 0); /* the status index, or every case newest first */
    }
    int limit = param_int(q, (int64_t)f->limit), offset = param_int(q, (int64_t)f->offset);
    ADD(") AS parts ORDER BY id DESC LIMIT %c%d OFFSET %c%d) ORDER BY id DESC", q->mark, limit,
        q->mark, offset);
}

bool ch_store_list_sql(const ch_case_filter *f, bool count, char mark, const char *columns,
                       ch_list_sql *q)
{
    memset(q, 0, sizeof(*q));
    q->mark = mark;
    if (f->services && f->nservices == 0)
        return false;
    ch_case_filter only = *f;
    if (f->service && f->services) {
        /* One service named among those visible: the rest add nothing. */
        if (!listed(f->services, f->nservices, f->service))
            return false;
        only.services = NULL;
        only.nservices = 0;
    }
    f = &only;
    shared s = {0};
    for (size_t i = 0; f->services && i < f->nservices; i++) {
        int k = param_text(q, f->services[i]);
        s.services = s.services ? s.services : k;
    }
    if (f->service)
        s.service = param_text(q, f->service);
    if (f->kind)
        s.kind = param_text(q, f->kind);
    if (f->status)
        s.status = param_text(q, f->status);
    if (f->officer_id > 0)
        s.officer = param_int(q, f->officer_id);
    if (count)
        count_sql(q, f, &s);
    else
        page_sql(q, f, &s, columns);
    if (q->used >= sizeof(q->sql)) {
        q->sql[0] = '\0';
        q->overflow = true;
    }
    return true;
}
