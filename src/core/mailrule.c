/* Inbound mail's decisions (see mailrule.h): address syntax, the case a
 * subject names, the service an address reaches, whether to acknowledge,
 * and the acknowledgement's words. Pure: the ingest brings the facts. */
#include "core/mailrule.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* RFC 5322 atext, less nothing: what a dot-atom local part may hold. */
static bool atext(char c)
{
    return is_alnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

bool ch_mailrule_address_ok(const char *s)
{
    if (!s)
        return false;
    size_t len = strlen(s);
    const char *at = strchr(s, '@');
    if (len == 0 || len > CH_MAIL_ADDRESS_MAX || !at || strchr(at + 1, '@'))
        return false;
    size_t local = (size_t)(at - s);
    if (local == 0 || local > 64 || s[0] == '.' || at[-1] == '.')
        return false;
    for (size_t i = 0; i < local; i++)
        if (!(atext(s[i]) || (s[i] == '.' && s[i + 1] != '.')))
            return false;
    /* The domain: labels of 1-63 letters, digits and inner hyphens. */
    const char *d = at + 1;
    size_t labels = 0;
    while (*d) {
        size_t n = 0;
        while (d[n] && d[n] != '.') {
            if (!(is_alnum(d[n]) || d[n] == '-'))
                return false;
            n++;
        }
        if (n == 0 || n > 63 || d[0] == '-' || d[n - 1] == '-')
            return false;
        labels++;
        d += n;
        if (*d == '.' && !*++d)
            return false; /* a trailing dot */
    }
    return labels >= 2;
}

bool ch_mail_address_same(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    for (; *a && *b; a++, b++)
        if (lower(*a) != lower(*b))
            return false;
    return *a == *b;
}

int64_t ch_mail_subject_case(const char *subject)
{
    static const char word[] = "case #";
    if (!subject)
        return 0;
    for (const char *p = subject; *p; p++) {
        if (p > subject && is_alnum(p[-1]))
            continue;
        size_t k = 0;
        while (word[k] && lower(p[k]) == word[k])
            k++;
        if (word[k])
            continue;
        const char *q = p + k;
        int64_t id = 0;
        int digits = 0;
        while (*q >= '0' && *q <= '9' && digits < 18) {
            id = id * 10 + (*q - '0');
            q++, digits++;
        }
        if (digits > 0 && !(*q >= '0' && *q <= '9') && !is_alnum(*q) && id > 0)
            return id;
    }
    return 0;
}

void ch_mail_case_tag(int64_t case_id, char *buf, size_t size)
{
    snprintf(buf, size, "[Case #%lld]", (long long)case_id);
}

/* The length of a "[Case #N]" tag starting at s, or 0. */
static size_t tag_at(const char *s)
{
    static const char word[] = "[case #";
    size_t k = 0;
    while (word[k] && lower(s[k]) == word[k])
        k++;
    if (word[k] || !(s[k] >= '0' && s[k] <= '9'))
        return 0;
    while (s[k] >= '0' && s[k] <= '9')
        k++;
    return s[k] == ']' ? k + 1 : 0;
}

void ch_mail_reply_subject(const char *theirs, bool re, int64_t case_id, char *buf, size_t size)
{
    char tag[40], plain[320];
    size_t n = 0;
    /* Another case's tag left in would split the thread (a reply names the
     * first tag it finds), so every tag goes and ours is put at the end. */
    for (const char *p = theirs ? theirs : ""; *p && n + 1 < sizeof(plain);) {
        size_t t = tag_at(p);
        if (t) {
            p += t;
            continue;
        }
        if (*p == ' ' && (n == 0 || plain[n - 1] == ' ')) {
            p++;
            continue;
        }
        plain[n++] = *p++;
    }
    while (n && plain[n - 1] == ' ')
        n--;
    plain[n] = 0;
    ch_mail_case_tag(case_id, tag, sizeof(tag));
    bool has_re = lower(plain[0]) == 'r' && lower(plain[1]) == 'e' && plain[2] == ':';
    snprintf(buf, size, "%s%s%s%s", re && !has_re ? "Re: " : "", n ? plain : "your message", " ",
             tag);
}

/* Every service holding addr among its mail addresses: the first in out,
 * how many in the return. */
static size_t routes_for(const ch_policy *const *policies, size_t n, const char *addr,
                         ch_mail_route found[2])
{
    size_t count = 0;
    for (size_t p = 0; p < n; p++)
        for (size_t s = 0; s < policies[p]->nservices; s++) {
            const ch_service *svc = &policies[p]->services[s];
            for (size_t a = 0; a < svc->nmail_to; a++)
                if (ch_mail_address_same(svc->mail_to[a], addr)) {
                    if (count < 2)
                        found[count] = (ch_mail_route){p, s};
                    count++;
                    break;
                }
        }
    return count;
}

static int route_answer(const ch_policy *const *policies, const char *addr, size_t count,
                        const ch_mail_route found[2], ch_mail_route *out, ch_error *err)
{
    if (count > 1)
        return ch_error_set(
            err, CH_E_CONFLICT,
            "the address %s is given to two services, %s/%s and %s/%s; give it to one in the "
            "policies' mail: addresses",
            addr, policies[found[0].policy]->id,
            policies[found[0].policy]->services[found[0].service].id, policies[found[1].policy]->id,
            policies[found[1].policy]->services[found[1].service].id);
    *out = found[0];
    return CH_OK;
}

int ch_mail_route_find(const ch_policy *const *policies, size_t n, const char *recipient,
                       ch_mail_route *out, ch_error *err)
{
    ch_mail_route found[2];
    if (!recipient || !*recipient)
        return ch_error_set(err, CH_E_NOTFOUND,
                            "the message names no recipient, so no service can be chosen for it");
    size_t count = routes_for(policies, n, recipient, found);
    if (count)
        return route_answer(policies, recipient, count, found, out, err);
    /* local+detail@domain: the mailbox is local@domain. */
    const char *at = strchr(recipient, '@');
    const char *plus = strchr(recipient, '+');
    if (at && plus && plus < at && strlen(recipient) <= CH_MAIL_ADDRESS_MAX) {
        char bare[CH_MAIL_ADDRESS_MAX + 1];
        snprintf(bare, sizeof(bare), "%.*s%s", (int)(plus - recipient), recipient, at);
        if ((count = routes_for(policies, n, bare, found)))
            return route_answer(policies, bare, count, found, out, err);
    }
    return ch_error_set(err, CH_E_NOTFOUND,
                        "no service takes mail for %s; add it to a service's mail: addresses in "
                        "its policy, or name the service with --service",
                        recipient);
}

int ch_mail_routes_check(const ch_policy *const *policies, size_t n, size_t *policy, ch_error *err)
{
    for (size_t p = 0; p < n; p++)
        for (size_t s = 0; s < policies[p]->nservices; s++) {
            const ch_service *svc = &policies[p]->services[s];
            for (size_t a = 0; a < svc->nmail_to; a++) {
                ch_mail_route found[2], r;
                size_t count = routes_for(policies, p + 1, svc->mail_to[a], found);
                if (count > 1) {
                    *policy = p;
                    return route_answer(policies, svc->mail_to[a], count, found, &r, err);
                }
            }
        }
    return CH_OK;
}

int ch_mail_route_named(const ch_policy *const *policies, size_t n, const char *name,
                        ch_mail_route *out, ch_error *err)
{
    const char *slash = name ? strchr(name, '/') : NULL;
    size_t count = 0;
    if (!name || !*name)
        return ch_error_set(err, CH_E_NOTFOUND, "no service was named");
    for (size_t p = 0; p < n; p++) {
        if (slash && (strlen(policies[p]->id) != (size_t)(slash - name) ||
                      strncmp(policies[p]->id, name, (size_t)(slash - name)) != 0))
            continue;
        for (size_t s = 0; s < policies[p]->nservices; s++)
            if (strcmp(policies[p]->services[s].id, slash ? slash + 1 : name) == 0) {
                if (count++ == 0)
                    *out = (ch_mail_route){p, s};
            }
    }
    if (count == 1)
        return CH_OK;
    if (count > 1)
        return ch_error_set(err, CH_E_CONFLICT,
                            "more than one policy has a service '%s'; name it as policy/service",
                            name);
    return ch_error_set(err, CH_E_NOTFOUND,
                        "there is no service '%s' in the policies loaded; name it as "
                        "policy/service, e.g. cognus/enquiries",
                        name);
}

bool ch_mail_address_ours(const ch_policy *const *policies, size_t n, const char *addr)
{
    if (!addr || !*addr)
        return false;
    for (size_t p = 0; p < n; p++)
        for (size_t s = 0; s < policies[p]->nservices; s++) {
            const ch_service *svc = &policies[p]->services[s];
            if (ch_mail_address_same(svc->mail_from, addr))
                return true;
            for (size_t a = 0; a < svc->nmail_to; a++)
                if (ch_mail_address_same(svc->mail_to[a], addr))
                    return true;
        }
    return false;
}

static bool refuse(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool refuse(char *why, size_t n, const char *fmt, ...)
{
    if (why && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, n, fmt, ap);
        va_end(ap);
    }
    return false;
}

bool ch_mail_ack_allowed(const ch_ack_facts *f, char *why, size_t n)
{
    if (why && n)
        why[0] = '\0';
    if (!f->policy_asks)
        return refuse(why, n, "The service's policy does not ask for an acknowledgement.");
    if (f->no_sender)
        return refuse(why, n, "No acknowledgement: the message has no address to answer.");
    if (f->automatic)
        return refuse(why, n,
                      "No acknowledgement: the message was sent automatically (auto-submitted, "
                      "bulk, list or mail-system mail), and answering it could start a loop.");
    if (f->from_ours)
        return refuse(why, n,
                      "No acknowledgement: the message came from one of our own addresses.");
    if (f->sent_in_hour >= CH_MAIL_ACK_PER_HOUR)
        return refuse(why, n,
                      "No acknowledgement: %lld have gone to this address in the last hour, the "
                      "most the desk sends.",
                      (long long)f->sent_in_hour);
    if (f->limits && f->limits->active) {
        char said[600];
        if (ch_restriction_outbound(f->limits, CH_CHANNEL_EMAIL, 1u << CH_OBLIGATION_ACKNOWLEDGE,
                                    said, sizeof(said)) != CH_RESTRICT_ALLOW)
            return refuse(why, n, "No acknowledgement: %s", said);
    }
    return true;
}

/* A growing text in an arena. */
typedef struct text {
    ch_arena *arena;
    char *p;
    size_t len, cap;
    bool failed;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    if (t->failed)
        return;
    va_start(ap, fmt);
    int need = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
    va_end(ap);
    if (need < 0) {
        t->failed = true;
        return;
    }
    if (t->p && t->len + (size_t)need < t->cap) {
        t->len += (size_t)need;
        return;
    }
    size_t cap = t->cap ? t->cap : 1024;
    while (cap <= t->len + (size_t)need)
        cap *= 2;
    char *grown = ch_arena_grow(t->arena, t->p, t->len, cap, 1);
    if (!grown) {
        t->failed = true;
        return;
    }
    t->p = grown;
    t->cap = cap;
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)need;
}

int ch_mail_ack_compose(const ch_ack_text *a, ch_arena *arena, char *subject, size_t subject_size,
                        const char **body, ch_error *err)
{
    char tag[40], when[48];
    ch_mail_case_tag(a->case_id, tag, sizeof(tag));
    const char *theirs = a->subject && *a->subject ? a->subject : NULL;
    ch_mail_reply_subject(theirs, true, a->case_id, subject, subject_size);

    text t = {.arena = arena};
    if (a->requester_name && *a->requester_name)
        put(&t, "Hello %s,\n\n", a->requester_name);
    else
        put(&t, "Hello,\n\n");
    put(&t, "Thank you for your email%s%s%s. We have it, and its reference is case %lld.\n",
        theirs ? " \"" : "", theirs ? theirs : "", theirs ? "\"" : "", (long long)a->case_id);
    put(&t, "Please keep %s in the subject when you write to us about it.\n", tag);
    bool said = false;
    for (size_t i = 0; i < a->npromises; i++) {
        const ch_ack_promise *p = &a->promises[i];
        if (p->kind == CH_OBLIGATION_PROCESS || p->kind == CH_OBLIGATION_ACKNOWLEDGE)
            continue; /* this message is the acknowledgement */
        if (!said)
            put(&t, "\nWhat we promise:\n");
        said = true;
        if (p->internal) {
            put(&t, "- %s We do not promise a time for this.\n", p->text);
            continue;
        }
        ch_date d;
        int32_t secs;
        ch_tz_to_local(a->tz, p->due, &d, &secs);
        ch_date_format_full(d, when, sizeof(when));
        const char *verb = p->kind == CH_OBLIGATION_RESOLVE  ? "aim to resolve it"
                           : p->kind == CH_OBLIGATION_UPDATE ? "will give you an update"
                                                             : "will reply";
        put(&t, "- We %s by %s.\n  (%s)\n", verb, when, p->text);
    }
    if (!said)
        put(&t, "\nOur service standards do not promise a time for answering this kind of "
                "message.\n");
    if (a->officer_name && *a->officer_name) {
        put(&t, "\nYour contact is %s.", a->officer_name);
        if (a->away && a->away->away) {
            char ooo[700];
            ch_out_of_office_text(a->officer_name, a->away, a->cover_name, a->cover_email, ooo,
                                  sizeof(ooo));
            put(&t, " %s", ooo);
        }
        put(&t, "\n");
    } else {
        put(&t, "\nYour contact is the %s team, who will pick it up.\n",
            a->service_name ? a->service_name : "service");
    }
    if (a->reply_address && *a->reply_address)
        put(&t, "To add anything, reply to this email or write to %s.\n", a->reply_address);
    put(&t,
        "\n%s%s%s\n\nThis is an automatic acknowledgement; please do not change the subject "
        "line.\n",
        a->organisation ? a->organisation : "", a->organisation && a->service_name ? ", " : "",
        a->service_name ? a->service_name : "");
    if (t.failed || !t.p)
        return ch_error_set(err, CH_E_NOMEM, "out of memory writing the acknowledgement");
    *body = t.p;
    return CH_OK;
}
