/* `charter statement`: a school's termly statement of hours from the desk's
 * database, as a summary on standard output or as an Excel or PDF file. */
#include "cli/cli.h"
#include "cli/desk_setup.h"
#include "core/text.h"
#include "export/statement.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One line of the table; long text wraps between words under it. */
static void print_row(const char *date, const char *what, const char *a, const char *b)
{
    what = what ? what : "";
    size_t k = ch_text_line(what, 50);
    printf("%-12s %-50.*s %9s %9s\n", date, (int)k, what, a, b);
    for (what += k; *what; what += k) {
        what += strspn(what, " ");
        k = ch_text_line(what, 50);
        if (k)
            printf("%-12s %.*s\n", "", (int)k, what);
    }
}

static void print_statement(const ch_statement_doc *doc)
{
    char a[32], b[32];
    ch_date_format(doc->first, a, sizeof(a));
    ch_date_format(doc->last, b, sizeof(b));
    printf("Statement of hours, %s (%s to %s)\n", doc->term, a, b);
    printf("%s: %s, %s, contract %lld (%s)\n", doc->contract.organisation, doc->service_name,
           doc->provider, (long long)doc->contract.id, doc->contract.year);
    ch_hours_text(doc->figures.opening, a, sizeof(a));
    printf("%-12s %-50s %9s\n", "", "Opening balance", a);
    for (size_t i = 0; i < doc->nlines; i++) {
        const ch_statement_line *l = &doc->lines[i];
        char d[16];
        ch_date_format(l->date, d, sizeof(d));
        ch_hours_text(l->minutes, a, sizeof(a));
        ch_hours_text(l->balance, b, sizeof(b));
        print_row(d, l->what, a, b);
    }
    ch_hours_text(doc->figures.closing, a, sizeof(a));
    printf("%-12s %-50s %9s\n", "", "Closing balance", a);
    ch_hours_text(doc->owed, a, sizeof(a));
    printf("%-12s %-50s %9s\n", "", "Owed by us", a);
    if (doc->nnotes)
        printf("Not charged this term:\n");
    for (size_t i = 0; i < doc->nnotes; i++) {
        const ch_statement_note *x = &doc->notes[i];
        char d[16];
        ch_date_format(x->date, d, sizeof(d));
        ch_hours_text(x->minutes, a, sizeof(a));
        print_row(d, x->what, a, "");
    }
    printf("Visits still booked: %zu\n", doc->nbooked);
}

/* A term's name: lower-case letters, a hyphen, a four-digit year. Whether
 * the calendar has that term is for the statement to say. */
static bool term_shaped(const char *term)
{
    size_t word = strspn(term, "abcdefghijklmnopqrstuvwxyz");
    return word > 0 && word <= 20 && term[word] == '-' &&
           strspn(term + word + 1, "0123456789") == 4 && term[word + 5] == '\0';
}

int ch_cmd_statement(int argc, char **argv)
{
    const char *contract_s = NULL, *term = NULL, *xlsx = NULL, *pdf = NULL, *db = NULL;
    const char *policies[CH_MAX_DESK_POLICIES];
    ch_opt_list plist = {policies, 0, CH_MAX_DESK_POLICIES};
    int status;
    const ch_opt opts[] = {
        {"--contract", CH_OPT_ONE, &contract_s},
        {"--term", CH_OPT_ONE, &term},
        {"--xlsx", CH_OPT_ONE, &xlsx},
        {"--pdf", CH_OPT_ONE, &pdf},
        {"--db", CH_OPT_ONE, &db},
        {"--policy", CH_OPT_MANY, &plist},
    };
    if (!ch_args_parse("statement", argc, argv, opts, sizeof(opts) / sizeof(*opts), NULL, &status))
        return status;
    size_t npolicies = plist.n;
    db = db ? db : "charter.db";
    long long id;
    if (!contract_s)
        return ch_usage_error("statement", "--contract needs a contract's id, e.g. --contract 12");
    if (!ch_arg_number("statement", "--contract", contract_s, 1, INT64_MAX, &id))
        return CH_EXIT_USAGE;
    if (xlsx && pdf)
        return ch_usage_error("statement", "give --xlsx or --pdf, not both");
    if (term && !term_shaped(term))
        return ch_usage_error("statement", "--term '%.40s' must be like autumn-2026", term);
    if ((xlsx && !ch_arg_out_file("statement", "--xlsx", xlsx)) ||
        (pdf && !ch_arg_out_file("statement", "--pdf", pdf)) ||
        !ch_arg_db("statement", "--db", db, false) || !ch_arg_policies("statement", &plist))
        return CH_EXIT_USAGE;

    ch_error err = {0};
    ch_desk d = {0};
    ch_store *store = NULL;
    ch_arena arena = {0};
    ch_contract c;
    ch_desk_service ds;
    ch_ledger_row *rows;
    ch_visit *visits;
    size_t n, nv;
    ch_statement_doc doc;
    char current[32], *data = NULL;
    size_t len = 0;
    int rc = CH_EXIT_FAIL;
    if (ch_cli_desk_policies(&d, policies, npolicies))
        goto out;
    if (ch_store_open(&store, db, &err) || ch_store_contract_get(store, id, &arena, &c, &err) ||
        ch_desk_service_find(&d, c.service, &ds, &err))
        goto out;
    const ch_calendar *cal = ch_policy_service_calendar(ds.policy, ds.service);
    if (!term) {
        size_t nterms;
        const ch_date_range *terms = ch_calendar_terms(cal, &nterms);
        ch_date today;
        int32_t secs;
        ch_tz_to_local(ch_calendar_tz(cal), (ch_time)time(NULL), &today, &secs);
        ch_term_for_year(terms, nterms, today, c.starts, c.ends, current, sizeof(current));
        term = current;
    }
    int year;
    if (ch_term_year(term, &year, &err))
        goto out;
    if (!ch_term_in_year(term, c.starts)) {
        ch_year_terms t;
        ch_term_names_of_year(c.starts, &t);
        ch_error_set(&err, CH_E_INVALID,
                     "contract %lld is for %s, so its statements are for %s, %s and %s; choose "
                     "one of those terms",
                     id, c.year, t.name[0], t.name[1], t.name[2]);
        goto out;
    }
    ch_visit_filter vf = {.contract_id = id, .limit = 5000};
    if (ch_store_ledger_list(store, id, &arena, &rows, &n, &err) ||
        ch_store_visit_list(store, &vf, &arena, &visits, &nv, &err) ||
        ch_statement_doc_build(&c, rows, n, visits, nv, ds.policy->organisation, ds.service->name,
                               cal, term, (ch_time)time(NULL), &arena, &doc, &err))
        goto out;
    if (xlsx) {
        if (ch_statement_xlsx(&doc, xlsx, &err))
            goto out;
        printf("wrote %s\n", xlsx);
    } else if (pdf) {
        if (ch_statement_pdf(&doc, &data, &len, &err))
            goto out;
        FILE *f = fopen(pdf, "wb");
        bool written = f && fwrite(data, 1, len, f) == len;
        if (f && fclose(f))
            written = false;
        if (!written) {
            ch_error_set(&err, CH_E_IO, "cannot write %s", pdf);
            goto out;
        }
        printf("wrote %s\n", pdf);
    } else {
        print_statement(&doc);
    }
    rc = CH_EXIT_OK;
out:
    if (err.code)
        fprintf(stderr, "charter statement: %s\n", err.msg);
    free(data);
    ch_arena_free(&arena);
    ch_store_close(store);
    ch_cli_desk_free(&d);
    return rc;
}
