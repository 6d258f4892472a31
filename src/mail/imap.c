/* The IMAP poller. libcurl makes the connection: TLS (implicit or a
 * required STARTTLS), the certificate check and the login. The commands
 * after that are ours, sent over the same connection, because libcurl's
 * own FETCH sets \Seen (it asks for BODY[], not BODY.PEEK[]) and takes one
 * message per round trip; here a FETCH takes a batch and the literals in
 * its answer are read exactly. */
#include "mail/imap.h"

#include <curl/curl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    SIZE_CHUNK = 500,               /* UIDs per size query, so a command stays short */
    MAX_LINE = 8 * 1024 * 1024,     /* the longest answer line (a SEARCH of many UIDs) */
    GROUP_BYTES = 32 * 1024 * 1024, /* what one FETCH of bodies may bring */
};

typedef struct conn {
    CURL *curl;
    curl_socket_t sock;
    char *buf;
    size_t start, end, cap, scanned;
    unsigned tag;
    int timeout_ms;
    size_t max_literal;
    bool cap_move, cap_uidplus;
    char where[300]; /* host:port, for sentences */
    char text[200];  /* the server's words after the last tagged NO or BAD */
} conn;

/* One message as the poll knows it. */
typedef struct item {
    uint32_t uid;
    size_t size;
    ch_time date;
    char *raw;
    size_t len;
    bool fetched;
} item;

/* --- The connection --- */

static int wait_sock(conn *c, bool writing, ch_error *err)
{
    struct pollfd p = {.fd = (int)c->sock, .events = writing ? POLLOUT : POLLIN};
    int n = poll(&p, 1, c->timeout_ms);
    if (n > 0)
        return CH_OK;
    if (n == 0)
        return ch_error_set(err, CH_E_IO, "the IMAP server at %s did not answer within %d seconds",
                            c->where, c->timeout_ms / 1000);
    return ch_error_set(err, CH_E_IO, "the connection to the IMAP server at %s failed", c->where);
}

/* Receives into dst (up to n bytes), waiting for the socket only when the
 * TLS layer has nothing buffered. */
static int recv_some(conn *c, char *dst, size_t n, size_t *got, ch_error *err)
{
    for (;;) {
        CURLcode rc = curl_easy_recv(c->curl, dst, n, got);
        if (rc == CURLE_OK && *got > 0)
            return CH_OK;
        if (rc == CURLE_OK)
            return ch_error_set(err, CH_E_IO, "the IMAP server at %s closed the connection",
                                c->where);
        if (rc != CURLE_AGAIN)
            return ch_error_set(err, CH_E_IO, "reading from the IMAP server at %s failed: %s",
                                c->where, curl_easy_strerror(rc));
        int w = wait_sock(c, false, err);
        if (w)
            return w;
    }
}

/* Makes room for more bytes after end, keeping [start, end). */
static int buf_room(conn *c, size_t want, ch_error *err)
{
    if (c->start > 0 && (c->start == c->end || c->cap - c->end < want)) {
        memmove(c->buf, c->buf + c->start, c->end - c->start);
        c->end -= c->start;
        c->scanned -= c->start;
        c->start = 0;
    }
    if (c->cap - c->end >= want)
        return CH_OK;
    size_t cap = c->cap ? c->cap : 65536;
    while (cap - c->end < want)
        cap *= 2;
    char *p = realloc(c->buf, cap);
    if (!p)
        return ch_error_set(err, CH_E_NOMEM, "out of memory reading from the IMAP server");
    c->buf = p;
    c->cap = cap;
    return CH_OK;
}

static int fill(conn *c, ch_error *err)
{
    size_t got;
    int rc = buf_room(c, 16384, err);
    if (rc || (rc = recv_some(c, c->buf + c->end, c->cap - c->end, &got, err)))
        return rc;
    c->end += got;
    return CH_OK;
}

/* The next line, without its line ending. *line stays valid until the
 * next read. */
static int read_line(conn *c, const char **line, size_t *len, ch_error *err)
{
    for (;;) {
        char *nl =
            c->end > c->scanned ? memchr(c->buf + c->scanned, '\n', c->end - c->scanned) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - (c->buf + c->start));
            *line = c->buf + c->start;
            *len = n > 0 && (*line)[n - 1] == '\r' ? n - 1 : n;
            c->start += n + 1;
            c->scanned = c->start;
            return CH_OK;
        }
        c->scanned = c->end;
        if (c->end - c->start > MAX_LINE)
            return ch_error_set(err, CH_E_IO, "the IMAP server at %s sent a line over %d bytes",
                                c->where, MAX_LINE);
        int rc = fill(c, err);
        if (rc)
            return rc;
    }
}

/* Exactly n bytes into dst (NULL: read and dropped). */
static int read_exact(conn *c, char *dst, size_t n, ch_error *err)
{
    size_t have = c->end - c->start, take = have < n ? have : n;
    if (dst && take)
        memcpy(dst, c->buf + c->start, take);
    c->start += take;
    c->scanned = c->start;
    for (size_t done = take; done < n;) {
        size_t got;
        char sink[16384];
        char *to = dst ? dst + done : sink;
        size_t room = dst ? n - done : (n - done < sizeof(sink) ? n - done : sizeof(sink));
        int rc = recv_some(c, to, room, &got, err);
        if (rc)
            return rc;
        done += got;
    }
    return CH_OK;
}

static int send_all(conn *c, const char *s, size_t n, ch_error *err)
{
    while (n > 0) {
        size_t sent = 0;
        CURLcode rc = curl_easy_send(c->curl, s, n, &sent);
        if (rc == CURLE_AGAIN) {
            int w = wait_sock(c, true, err);
            if (w)
                return w;
            continue;
        }
        if (rc != CURLE_OK)
            return ch_error_set(err, CH_E_IO, "writing to the IMAP server at %s failed: %s",
                                c->where, curl_easy_strerror(rc));
        s += sent;
        n -= sent;
    }
    return CH_OK;
}

/* Sends "C<tag> " and the command; the tag is c->tag after. */
static int vcommand(conn *c, ch_error *err, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static int vcommand(conn *c, ch_error *err, const char *fmt, va_list ap)
{
    va_list again;
    char head[24];
    int hn = snprintf(head, sizeof(head), "C%u ", ++c->tag);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0) {
        va_end(again);
        return ch_error_set(err, CH_E_INVALID, "an IMAP command could not be written");
    }
    char *line = malloc((size_t)hn + (size_t)n + 3);
    if (!line) {
        va_end(again);
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    }
    memcpy(line, head, (size_t)hn);
    vsnprintf(line + hn, (size_t)n + 1, fmt, again);
    va_end(again);
    memcpy(line + hn + n, "\r\n", 3);
    int rc = send_all(c, line, (size_t)hn + (size_t)n + 2, err);
    free(line);
    return rc;
}

static int command(conn *c, ch_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int command(conn *c, ch_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vcommand(c, err, fmt, ap);
    va_end(ap);
    return rc;
}

/* --- Reading answers --- */

/* A cursor over the current line; a literal moves it to the next line. */
typedef struct cur {
    conn *c;
    const char *p, *e;
} cur;

static void skip_sp(cur *k)
{
    while (k->p < k->e && *k->p == ' ')
        k->p++;
}

static bool take_word(cur *k, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(k->e - k->p) < n || strncasecmp(k->p, w, n) != 0)
        return false;
    if (k->p + n < k->e && k->p[n] != ' ' && k->p[n] != ')' && k->p[n] != '(')
        return false;
    k->p += n;
    return true;
}

static bool read_number(cur *k, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    const char *s = k->p;
    while (k->p < k->e && *k->p >= '0' && *k->p <= '9') {
        v = v * 10 + (uint64_t)(*k->p - '0');
        if (v > max)
            return false;
        k->p++;
    }
    *out = v;
    return k->p > s;
}

/* A literal's size if the cursor is at "{n}" (or "{n+}") ending the line. */
static bool at_literal(cur *k, size_t *n)
{
    cur t = *k;
    uint64_t v;
    if (t.p >= t.e || *t.p != '{')
        return false;
    t.p++;
    if (!read_number(&t, SIZE_MAX / 2, &v))
        return false;
    if (t.p < t.e && *t.p == '+')
        t.p++;
    if (t.p + 1 != t.e || *t.p != '}')
        return false;
    *n = (size_t)v;
    return true;
}

/* Reads the literal of n bytes (into *out, NUL-ended, when out is given)
 * and moves the cursor to the rest of the answer. */
static int read_literal(cur *k, size_t n, char **out, ch_error *err)
{
    char *dst = NULL;
    size_t len;
    if (n > k->c->max_literal)
        return ch_error_set(err, CH_E_IO,
                            "the IMAP server at %s sent %zu bytes where at most %zu "
                            "were asked for",
                            k->c->where, n, k->c->max_literal);
    if (out && !(dst = malloc(n + 1)))
        return ch_error_set(err, CH_E_NOMEM, "out of memory for a message of %zu bytes", n);
    int rc = read_exact(k->c, dst, n, err);
    if (!rc)
        rc = read_line(k->c, &k->p, &len, err);
    if (rc) {
        free(dst);
        return rc;
    }
    k->e = k->p + len;
    if (out) {
        dst[n] = '\0';
        *out = dst;
    }
    return CH_OK;
}

/* A string (quoted, literal or NIL) into small (NUL-ended, cut to fit) or,
 * when heap is given, a new allocation. */
static int read_string(cur *k, char *small, size_t size, char **heap, size_t *len, ch_error *err)
{
    size_t n;
    if (at_literal(k, &n)) {
        char *s = NULL;
        int rc = read_literal(k, n, &s, err);
        if (rc)
            return rc;
        if (heap) {
            *heap = s;
            *len = n;
        } else {
            snprintf(small, size, "%.*s", (int)(n < size ? n : size - 1), s);
            free(s);
        }
        return CH_OK;
    }
    if (take_word(k, "NIL")) {
        if (small)
            small[0] = '\0';
        return CH_OK;
    }
    if (k->p >= k->e || *k->p != '"')
        return ch_error_set(err, CH_E_IO, "the IMAP server at %s sent a malformed answer",
                            k->c->where);
    const char *s = ++k->p;
    size_t cap = (size_t)(k->e - s) + 1, o = 0;
    char *dst = heap ? malloc(cap) : NULL;
    if (heap && !dst)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    while (k->p < k->e && *k->p != '"') {
        if (*k->p == '\\' && k->p + 1 < k->e)
            k->p++;
        if (heap)
            dst[o++] = *k->p;
        else if (o + 1 < size)
            small[o++] = *k->p;
        k->p++;
    }
    if (k->p >= k->e) {
        free(dst);
        return ch_error_set(err, CH_E_IO, "the IMAP server at %s sent an unended string",
                            k->c->where);
    }
    k->p++;
    if (heap) {
        dst[o] = '\0';
        *heap = dst;
        *len = o;
    } else if (small) {
        small[o] = '\0';
    }
    return CH_OK;
}

/* Passes over one value: an atom, a number, a string or a list. */
static int skip_value(cur *k, int depth, ch_error *err)
{
    size_t n;
    skip_sp(k);
    if (depth > 16)
        return ch_error_set(err, CH_E_IO, "the IMAP server at %s sent lists nested too deeply",
                            k->c->where);
    if (at_literal(k, &n))
        return read_literal(k, n, NULL, err);
    if (k->p < k->e && *k->p == '"')
        return read_string(k, NULL, 0, NULL, NULL, err);
    if (k->p < k->e && *k->p == '(') {
        k->p++;
        for (;;) {
            skip_sp(k);
            if (k->p >= k->e)
                return ch_error_set(err, CH_E_IO, "the IMAP server at %s sent an unended list",
                                    k->c->where);
            if (*k->p == ')') {
                k->p++;
                return CH_OK;
            }
            int rc = skip_value(k, depth + 1, err);
            if (rc)
                return rc;
        }
    }
    /* An atom; a section such as BODY[HEADER.FIELDS (A B)] keeps its brackets. */
    int bracket = 0;
    while (k->p < k->e && (bracket || (*k->p != ' ' && *k->p != ')' && *k->p != '('))) {
        bracket += *k->p == '[';
        bracket -= *k->p == ']' && bracket > 0;
        k->p++;
    }
    return CH_OK;
}

/* The rest of an answer we have no use for, with any literals in it. */
static int skip_rest(cur *k, ch_error *err)
{
    for (;;) {
        size_t n;
        while (k->p < k->e && *k->p != '{')
            k->p++;
        if (k->p >= k->e)
            return CH_OK;
        if (!at_literal(k, &n)) {
            k->p++;
            continue;
        }
        int rc = read_literal(k, n, NULL, err);
        if (rc)
            return rc;
    }
}

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};

/* "01-Dec-2026 23:00:00 +0000" (the day may lead with a space); 0 when it
 * is not that. */
static ch_time internal_date(const char *s)
{
    int d, y, hh, mm, ss, zh, zm;
    char mon[4], sign;
    if (sscanf(s, "%2d-%3s-%4d %2d:%2d:%2d %c%2d%2d", &d, mon, &y, &hh, &mm, &ss, &sign, &zh,
               &zm) != 9)
        return 0;
    int m = 0;
    for (int i = 0; i < 12; i++)
        if (strcasecmp(mon, months[i]) == 0)
            m = i + 1;
    if (!m || !ch_ymd_valid(y, m, d) || hh > 23 || mm > 59 || ss > 60 || zh > 23 || zm > 59 ||
        (sign != '+' && sign != '-'))
        return 0;
    ch_time off = (ch_time)zh * 3600 + (ch_time)zm * 60;
    return (ch_time)ch_date_from_ymd(y, m, d) * CH_DAY_SECS + hh * 3600 + mm * 60 + ss -
           (sign == '+' ? off : -off);
}

typedef struct fetch_ctx {
    item *items;
    size_t n;
} fetch_ctx;

static item *find_item(fetch_ctx *f, uint32_t uid)
{
    size_t lo = 0, hi = f->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->items[mid].uid == uid)
            return &f->items[mid];
        if (f->items[mid].uid < uid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* "(UID 5 RFC822.SIZE 120 INTERNALDATE "..." BODY[] {120}...)" after
 * "* 3 FETCH ". */
static int parse_fetch(cur *k, fetch_ctx *f, ch_error *err)
{
    uint64_t uid = 0, size = 0;
    char date[64] = "", *body = NULL;
    size_t blen = 0;
    bool have_size = false, have_body = false;
    int rc = CH_OK;
    skip_sp(k);
    if (k->p >= k->e || *k->p != '(')
        return skip_rest(k, err);
    k->p++;
    for (;;) {
        skip_sp(k);
        if (k->p >= k->e) {
            rc = ch_error_set(err, CH_E_IO, "the IMAP server at %s sent an unended FETCH",
                              k->c->where);
            goto out;
        }
        if (*k->p == ')')
            break;
        if (take_word(k, "UID")) {
            skip_sp(k);
            if (!read_number(k, UINT32_MAX, &uid)) {
                rc = ch_error_set(err, CH_E_IO, "the IMAP server at %s sent a malformed UID",
                                  k->c->where);
                goto out;
            }
        } else if (take_word(k, "RFC822.SIZE")) {
            skip_sp(k);
            have_size = read_number(k, SIZE_MAX / 2, &size);
        } else if (take_word(k, "INTERNALDATE")) {
            skip_sp(k);
            if ((rc = read_string(k, date, sizeof(date), NULL, NULL, err)))
                goto out;
        } else if (take_word(k, "BODY[]")) {
            skip_sp(k);
            free(body);
            body = NULL;
            if ((rc = read_string(k, NULL, 0, &body, &blen, err)))
                goto out;
            have_body = body != NULL;
        } else if ((rc = skip_value(k, 0, err)) || (rc = skip_value(k, 0, err))) {
            goto out; /* an item we did not ask for, and its value */
        }
    }
    k->p++;
    item *it = uid ? find_item(f, (uint32_t)uid) : NULL;
    if (!it)
        goto out; /* not one we asked for (a flag change the server tells of) */
    if (have_size)
        it->size = (size_t)size;
    if (date[0])
        it->date = internal_date(date);
    if (have_body) {
        free(it->raw);
        it->raw = body;
        it->len = blen;
        it->fetched = true;
        body = NULL;
    }
out:
    free(body);
    return rc;
}

typedef int (*untagged_fn)(void *arg, cur *k, ch_error *err);

/* Reads answers up to the tagged one for c->tag, giving each untagged one
 * to fn. CH_OK for OK; CH_E_INVALID for NO or BAD, the server's words in
 * c->text. */
static int response(conn *c, untagged_fn fn, void *arg, ch_error *err)
{
    char tag[24];
    int tn = snprintf(tag, sizeof(tag), "C%u ", c->tag);
    for (;;) {
        const char *line;
        size_t len;
        int rc = read_line(c, &line, &len, err);
        if (rc)
            return rc;
        cur k = {c, line, line + len};
        if (len >= 2 && line[0] == '*' && line[1] == ' ') {
            k.p += 2;
            if (take_word(&k, "BYE"))
                return ch_error_set(err, CH_E_IO, "the IMAP server at %s ended the session: %.*s",
                                    c->where, (int)(k.e - k.p > 150 ? 150 : k.e - k.p), k.p);
            rc = fn ? fn(arg, &k, err) : CH_OK;
            if (!rc)
                rc = skip_rest(&k, err);
            if (rc)
                return rc;
            continue;
        }
        if (len >= (size_t)tn && memcmp(line, tag, (size_t)tn) == 0) {
            k.p += tn;
            bool ok = take_word(&k, "OK");
            skip_sp(&k);
            snprintf(c->text, sizeof(c->text), "%.*s", (int)(k.e - k.p), k.p);
            return ok ? CH_OK : CH_E_INVALID;
        }
        /* A continuation request or another tag: not ours to answer. */
        if ((rc = skip_rest(&k, err)))
            return rc;
    }
}

static int on_capability(void *arg, cur *k, ch_error *err)
{
    conn *c = arg;
    (void)err;
    if (!take_word(k, "CAPABILITY"))
        return CH_OK;
    while (k->p < k->e) {
        skip_sp(k);
        c->cap_move = c->cap_move || take_word(k, "MOVE");
        c->cap_uidplus = c->cap_uidplus || take_word(k, "UIDPLUS");
        while (k->p < k->e && *k->p != ' ')
            k->p++;
    }
    return CH_OK;
}

typedef struct uid_list {
    uint32_t *v;
    size_t n, cap;
} uid_list;

static int uid_push(uid_list *l, uint32_t uid, ch_error *err)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        uint32_t *p = realloc(l->v, cap * sizeof(*p));
        if (!p)
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        l->v = p;
        l->cap = cap;
    }
    l->v[l->n++] = uid;
    return CH_OK;
}

static int on_search(void *arg, cur *k, ch_error *err)
{
    uid_list *l = arg;
    if (!take_word(k, "SEARCH"))
        return CH_OK;
    for (;;) {
        uint64_t v;
        skip_sp(k);
        if (k->p >= k->e || *k->p == '(')
            return CH_OK; /* the end, or a (MODSEQ n) after the numbers */
        if (!read_number(k, UINT32_MAX, &v) || v == 0)
            return ch_error_set(err, CH_E_IO, "the IMAP server at %s sent a malformed SEARCH",
                                k->c->where);
        int rc = uid_push(l, (uint32_t)v, err);
        if (rc)
            return rc;
    }
}

static int on_fetch(void *arg, cur *k, ch_error *err)
{
    uint64_t seq;
    if (!read_number(k, UINT32_MAX, &seq))
        return CH_OK;
    skip_sp(k);
    if (!take_word(k, "FETCH"))
        return CH_OK;
    return parse_fetch(k, arg, err);
}

/* --- The poll --- */

static int cmp_uid(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* "1:4,7,9:12" for uids (ascending); NULL when out of memory. */
static char *uid_set(const uint32_t *uids, size_t n)
{
    size_t cap = n * 22 + 1, o = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && uids[j + 1] == uids[j] + 1)
            j++;
        if (j > i)
            o += (size_t)snprintf(s + o, cap - o, "%s%u:%u", o ? "," : "", uids[i], uids[j]);
        else
            o += (size_t)snprintf(s + o, cap - o, "%s%u", o ? "," : "", uids[i]);
        i = j + 1;
    }
    s[o] = '\0';
    return s;
}

/* A mailbox name as an IMAP quoted string; the name was checked to be
 * printable ASCII. */
static void quoted(const char *name, char *out, size_t size)
{
    size_t o = 0;
    out[o++] = '"';
    for (const char *p = name; *p && o + 3 < size; p++) {
        if (*p == '"' || *p == '\\')
            out[o++] = '\\';
        out[o++] = *p;
    }
    out[o++] = '"';
    out[o] = '\0';
}

/* A command whose only answer that matters is the tagged one; what says
 * what it was for in the sentence when the server refuses. */
static int simple(conn *c, const char *what, ch_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int simple(conn *c, const char *what, ch_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vcommand(c, err, fmt, ap);
    va_end(ap);
    if (!rc)
        rc = response(c, NULL, NULL, err);
    if (rc == CH_E_INVALID)
        ch_error_set(err, CH_E_INVALID, "the IMAP server at %s would not %s: %s", c->where, what,
                     c->text);
    return rc;
}

static int move_to(conn *c, const char *set, const char *folder, ch_error *err)
{
    char q[512];
    quoted(folder, q, sizeof(q));
    if (c->cap_move)
        return simple(c, "move the messages", err, "UID MOVE %s %s", set, q);
    int rc = simple(c, "copy the messages", err, "UID COPY %s %s", set, q);
    if (!rc)
        rc = simple(c, "mark the copied messages deleted", err,
                    "UID STORE %s +FLAGS.SILENT (\\Deleted)", set);
    if (!rc && c->cap_uidplus)
        rc = simple(c, "expunge the moved messages", err, "UID EXPUNGE %s", set);
    return rc;
}

static int mark_taken(conn *c, const ch_imap_options *o, const uint32_t *uids, size_t n,
                      ch_error *err)
{
    if (n == 0)
        return CH_OK;
    char *set = uid_set(uids, n);
    if (!set)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    int rc = simple(c, "mark the messages seen", err, "UID STORE %s +FLAGS.SILENT (\\Seen)", set);
    if (!rc && o->move_to)
        rc = move_to(c, set, o->move_to, err);
    free(set);
    return rc;
}

static int mark_refused(conn *c, const ch_imap_options *o, const uint32_t *uids, size_t n,
                        ch_error *err)
{
    if (n == 0)
        return CH_OK;
    char *set = uid_set(uids, n);
    if (!set)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    int rc;
    if (o->refused_to) {
        rc = move_to(c, set, o->refused_to, err);
    } else {
        rc = command(c, err, "UID STORE %s +FLAGS.SILENT (%s)", set, CH_IMAP_REFUSED_KEYWORD);
        if (!rc)
            rc = response(c, NULL, NULL, err);
        if (rc == CH_E_INVALID)
            ch_error_set(err, CH_E_INVALID,
                         "the IMAP server at %s would not set the keyword %s on refused "
                         "messages (%s); give a folder for them instead",
                         c->where, CH_IMAP_REFUSED_KEYWORD, c->text);
    }
    free(set);
    return rc;
}

/* The sentence for a connection or login that failed. */
static int connect_error(conn *c, CURLcode rc, const char *detail, const char *user, ch_error *err)
{
    const char *why = detail[0] ? detail : curl_easy_strerror(rc);
    switch (rc) {
    case CURLE_LOGIN_DENIED:
        return ch_error_set(err, CH_E_INVALID,
                            "the IMAP server at %s refused the login of '%.100s': check the user "
                            "name and the password file",
                            c->where, user);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
        return ch_error_set(err, CH_E_INVALID,
                            "the certificate of the IMAP server at %s could not be trusted (%s): "
                            "give the CA that signed it, or check the host name",
                            c->where, why);
    case CURLE_USE_SSL_FAILED:
        return ch_error_set(err, CH_E_INVALID,
                            "the IMAP server at %s does not offer STARTTLS, and the password is "
                            "never sent unencrypted: use imaps://",
                            c->where);
    case CURLE_SSL_CONNECT_ERROR:
        return ch_error_set(err, CH_E_INVALID,
                            "TLS with the IMAP server at %s failed (%s): check the port is one "
                            "for IMAP over TLS and the certificate",
                            c->where, why);
    default:
        return ch_error_set(err, CH_E_IO, "cannot reach the IMAP server at %s: %s", c->where, why);
    }
}

int ch_imap_init(ch_error *err)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return ch_error_set(err, CH_E_IO, "the network library could not start");
    return CH_OK;
}

void ch_imap_cleanup(void)
{
    curl_global_cleanup();
}

/* The parts of url a poll needs: host:port for sentences and the mailbox. */
static int url_parts(const char *url, char *where, size_t wsize, char *mailbox, size_t msize,
                     ch_error *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *user = NULL, *pw = NULL;
    int rc = CH_OK;
    if (!u)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    if (!url || strlen(url) > 1000 || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        rc = ch_error_set(err, CH_E_INVALID,
                          "'%.100s' is not a URL; give one like imaps://mail.cognus.example/INBOX",
                          url ? url : "");
        goto out;
    }
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(u, CURLUPART_HOST, &host, 0);
    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE);
    curl_url_get(u, CURLUPART_USER, &user, 0);
    curl_url_get(u, CURLUPART_PASSWORD, &pw, 0);
    if (!scheme || (strcmp(scheme, "imaps") != 0 && strcmp(scheme, "imap") != 0)) {
        rc = ch_error_set(err, CH_E_INVALID,
                          "'%.100s' must start imaps:// (or imap:// for a server with STARTTLS)",
                          url);
        goto out;
    }
    if (user || pw) {
        rc = ch_error_set(err, CH_E_INVALID,
                          "'%.100s' holds a user name or password; give the user separately and "
                          "the password in a file, where other people cannot read it",
                          url);
        goto out;
    }
    if (!host || !host[0]) {
        rc = ch_error_set(err, CH_E_INVALID, "'%.100s' names no server", url);
        goto out;
    }
    const char *box = path && path[0] == '/' ? path + 1 : (path ? path : "");
    size_t blen = strlen(box);
    while (blen > 0 && box[blen - 1] == '/')
        blen--;
    if (blen == 0) {
        box = "INBOX";
        blen = 5;
    }
    if (blen >= msize || strchr(box, ';') || strchr(box, '?')) {
        rc = ch_error_set(err, CH_E_INVALID,
                          "the mailbox in '%.100s' must be a folder name of at most %zu "
                          "characters, e.g. /INBOX",
                          url, msize - 1);
        goto out;
    }
    for (size_t i = 0; i < blen; i++)
        if (box[i] < ' ' || box[i] > '~') {
            rc = ch_error_set(err, CH_E_INVALID,
                              "the mailbox in '%.100s' must be plain ASCII letters, digits and "
                              "punctuation",
                              url);
            goto out;
        }
    memcpy(mailbox, box, blen);
    mailbox[blen] = '\0';
    snprintf(where, wsize, "%.200s:%s", host, port ? port : "");
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(user);
    curl_free(pw);
    curl_url_cleanup(u);
    return rc;
}

static bool folder_ok(const char *f)
{
    size_t n = f ? strlen(f) : 0;
    if (n == 0 || n > 200)
        return false;
    for (size_t i = 0; i < n; i++)
        if (f[i] < ' ' || f[i] > '~')
            return false;
    return true;
}

int ch_imap_url_check(const char *url, ch_error *err)
{
    char where[300], box[256];
    return url_parts(url, where, sizeof(where), box, sizeof(box), err);
}

/* Opens the connection and logs in (libcurl), then learns what the server
 * can do and selects the mailbox. */
static int open_conn(conn *c, const ch_imap_options *o, const char *mailbox, ch_error *err)
{
    char detail[CURL_ERROR_SIZE] = "", q[512];
    long timeout = o->timeout_s > 0 ? o->timeout_s : 60;
    c->timeout_ms = (int)(timeout * 1000);
    if (!(c->curl = curl_easy_init()))
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    curl_easy_setopt(c->curl, CURLOPT_URL, o->url);
    curl_easy_setopt(c->curl, CURLOPT_USERNAME, o->user);
    curl_easy_setopt(c->curl, CURLOPT_PASSWORD, o->password);
    curl_easy_setopt(c->curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    curl_easy_setopt(c->curl, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, timeout);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    if (o->ca_file)
        curl_easy_setopt(c->curl, CURLOPT_CAINFO, o->ca_file);
    CURLcode cr = curl_easy_perform(c->curl);
    curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, NULL);
    if (cr != CURLE_OK)
        return connect_error(c, cr, detail, o->user, err);
    if (curl_easy_getinfo(c->curl, CURLINFO_ACTIVESOCKET, &c->sock) != CURLE_OK ||
        c->sock == CURL_SOCKET_BAD)
        return ch_error_set(err, CH_E_IO, "the connection to the IMAP server at %s was lost",
                            c->where);
    int rc = command(c, err, "CAPABILITY");
    if (!rc)
        rc = response(c, on_capability, c, err);
    if (rc == CH_E_INVALID)
        rc = ch_error_set(err, CH_E_IO, "the IMAP server at %s would not say what it can do: %s",
                          c->where, c->text);
    if (rc)
        return rc;
    quoted(mailbox, q, sizeof(q));
    if ((rc = command(c, err, "SELECT %s", q)) || (rc = response(c, NULL, NULL, err)) == CH_OK)
        return rc;
    if (rc == CH_E_INVALID)
        rc = ch_error_set(err, CH_E_INVALID,
                          "the IMAP server at %s has no mailbox '%s' for '%.100s' (%s)", c->where,
                          mailbox, o->user, c->text);
    return rc;
}

/* A folder messages are to move to must exist before any is taken. */
static int check_folder(conn *c, const char *folder, const char *what, ch_error *err)
{
    char q[512];
    quoted(folder, q, sizeof(q));
    int rc = command(c, err, "STATUS %s (MESSAGES)", q);
    if (!rc)
        rc = response(c, NULL, NULL, err);
    if (rc == CH_E_INVALID)
        ch_error_set(err, CH_E_INVALID,
                     "the IMAP server at %s has no folder '%s' for %s messages (%s): create it "
                     "or name another",
                     c->where, folder, what, c->text);
    return rc;
}

/* --- Taking a group, several at once --- */

enum { MAX_REFS = 32, UNTRIED = 1 };

/* What a message says of its thread, as hashes of the ids between angle
 * brackets: its own Message-ID and those it answers (In-Reply-To and the
 * last of References). Enough to take a message after the one it answers
 * when both arrive in one group. */
typedef struct thread_ids {
    uint64_t self;
    uint64_t refs[MAX_REFS];
    size_t nrefs;
} thread_ids;

static uint64_t hash_id(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        h = (h ^ (ch >= 'A' && ch <= 'Z' ? ch + 32 : ch)) * 1099511628211u;
    }
    return h | 1; /* 0 means none */
}

static void note_ids(thread_ids *t, bool self, const char *p, const char *e)
{
    while (p < e) {
        const char *lt = memchr(p, '<', (size_t)(e - p));
        const char *gt = lt ? memchr(lt, '>', (size_t)(e - lt)) : NULL;
        if (!gt)
            return;
        uint64_t h = hash_id(lt + 1, (size_t)(gt - lt - 1));
        if (self) {
            if (!t->self)
                t->self = h;
        } else if (t->nrefs < MAX_REFS) {
            t->refs[t->nrefs++] = h;
        } else {
            memmove(t->refs, t->refs + 1, (MAX_REFS - 1) * sizeof(*t->refs));
            t->refs[MAX_REFS - 1] = h;
        }
        p = gt + 1;
    }
}

/* Reads the header block only; a header a line long or folded over
 * several lines counts as one field. */
static void scan_thread(const char *raw, size_t len, thread_ids *t)
{
    const char *p = raw, *e = raw + len;
    int field = 0; /* 1 Message-ID, 2 In-Reply-To or References */
    *t = (thread_ids){0};
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *end = nl ? nl : e;
        if (end == p || (end == p + 1 && *p == '\r'))
            return; /* the blank line before the body */
        if (*p != ' ' && *p != '\t') {
            size_t n = (size_t)(end - p);
            field = n > 11 && strncasecmp(p, "message-id:", 11) == 0    ? 1
                    : n > 12 && strncasecmp(p, "in-reply-to:", 12) == 0 ? 2
                    : n > 11 && strncasecmp(p, "references:", 11) == 0  ? 2
                                                                        : 0;
        }
        if (field)
            note_ids(t, field == 1, p, end);
        p = nl ? nl + 1 : e;
    }
}

typedef struct take_job {
    const ch_imap_handler *h;
    item *items;
    const size_t *order; /* the indexes of this wave */
    size_t n, next;
    int *rcs;
    char (*why)[CH_ERROR_MSG_MAX];
    pthread_mutex_t mu;
    bool stop;
} take_job;

static void *take_worker(void *arg)
{
    take_job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->mu);
        size_t k = j->next++;
        bool stop = j->stop;
        pthread_mutex_unlock(&j->mu);
        if (stop || k >= j->n)
            return NULL;
        item *it = &j->items[j->order[k]];
        ch_imap_message m = {it->uid, it->raw, it->len, it->date};
        ch_error e = {0};
        int t = j->h->take(j->h->arg, &m, &e);
        free(it->raw);
        it->raw = NULL;
        j->rcs[j->order[k]] = t;
        if (t != CH_OK)
            snprintf(j->why[j->order[k]], sizeof(j->why[0]), "%s", e.msg[0] ? e.msg : "refused");
        if (t != CH_OK && t != CH_E_INVALID && t != CH_E_NOTFOUND) {
            pthread_mutex_lock(&j->mu);
            j->stop = true;
            pthread_mutex_unlock(&j->mu);
        }
    }
}

/* Runs the wave order[0..n) on up to workers threads (the caller's own
 * among them). */
static void run_wave(take_job *j, const size_t *order, size_t n, size_t workers)
{
    pthread_t tids[CH_IMAP_MAX_WORKERS];
    size_t started = 0;
    j->order = order;
    j->n = n;
    j->next = 0;
    for (size_t i = 1; i < workers && i < n; i++)
        if (pthread_create(&tids[started], NULL, take_worker, j) == 0)
            started++;
    take_worker(j);
    for (size_t i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
}

/* Takes every fetched item, several at once but each message after any
 * in the group it answers, so a reply finds the case its first message
 * opened. Sets rcs[i] (UNTRIED for what was not taken); false when the
 * handler said the store was away. */
static int take_all(const ch_imap_options *o, const ch_imap_handler *h, item *items, size_t n,
                    int *rcs, char (*why)[CH_ERROR_MSG_MAX], bool *stopped, ch_error *err)
{
    size_t workers = o->workers ? o->workers : 1;
    thread_ids *ids = calloc(n, sizeof(*ids));
    size_t *wave = malloc(n * sizeof(*wave));
    bool *done = calloc(n, sizeof(*done));
    take_job j = {.h = h, .items = items, .rcs = rcs, .why = why};
    int rc = CH_OK;
    if (!ids || !wave || !done) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    workers = workers > CH_IMAP_MAX_WORKERS ? CH_IMAP_MAX_WORKERS : workers;
    pthread_mutex_init(&j.mu, NULL);
    for (size_t i = 0; i < n; i++) {
        rcs[i] = UNTRIED;
        done[i] = !items[i].fetched;
        if (items[i].fetched)
            scan_thread(items[i].raw, items[i].len, &ids[i]);
    }
    for (;;) {
        size_t nw = 0, left = 0;
        for (size_t i = 0; i < n; i++) {
            if (done[i])
                continue;
            left++;
            bool waits = false;
            for (size_t r = 0; r < ids[i].nrefs && !waits; r++)
                for (size_t k = 0; k < n && !waits; k++)
                    waits = k != i && !done[k] && ids[k].self == ids[i].refs[r];
            if (!waits)
                wave[nw++] = i;
        }
        if (left == 0 || j.stop)
            break;
        if (nw == 0) /* a loop of answers: take them as they come */
            for (size_t i = 0; i < n; i++)
                if (!done[i])
                    wave[nw++] = i;
        /* The first alone: libraries that set themselves up on first use
         * (GLib's types) then do so before any thread races another. */
        run_wave(&j, wave, 1, 1);
        if (nw > 1 && !j.stop)
            run_wave(&j, wave + 1, nw - 1, workers);
        for (size_t k = 0; k < nw; k++)
            done[wave[k]] = true;
    }
    *stopped = j.stop;
    pthread_mutex_destroy(&j.mu);
out:
    free(ids);
    free(wave);
    free(done);
    return rc;
}

/* Fetches the bodies of items[0..n), takes each, then marks them. Sets
 * *stop when the handler could not keep one. */
static int take_group(conn *c, const ch_imap_options *o, const ch_imap_handler *h, item *items,
                      size_t n, ch_imap_summary *sum, bool *stop, ch_error *err)
{
    uint32_t *uids = malloc(n * sizeof(*uids)), *ok = malloc(n * sizeof(*ok));
    uint32_t *bad = malloc(n * sizeof(*bad));
    char(*why)[CH_ERROR_MSG_MAX] = malloc(n * sizeof(*why));
    int *rcs = malloc(n * sizeof(*rcs));
    size_t nok = 0, nbad = 0;
    char *set = NULL;
    int rc = CH_OK;
    if (!uids || !ok || !bad || !why || !rcs) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        uids[i] = items[i].uid;
    if (!(set = uid_set(uids, n))) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    fetch_ctx f = {items, n};
    if ((rc = command(c, err, "UID FETCH %s (UID BODY.PEEK[])", set)) ||
        (rc = response(c, on_fetch, &f, err))) {
        if (rc == CH_E_INVALID)
            rc = ch_error_set(err, CH_E_IO, "the IMAP server at %s would not give the messages: %s",
                              c->where, c->text);
        goto out;
    }
    if ((rc = take_all(o, h, items, n, rcs, why, stop, err)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (!items[i].fetched)
            sum->found--; /* gone since the search (expunged by another client) */
        else if (rcs[i] == CH_OK)
            ok[nok++] = items[i].uid;
        else if (rcs[i] == CH_E_INVALID || rcs[i] == CH_E_NOTFOUND) {
            if (nbad != i)
                memcpy(why[nbad], why[i], sizeof(why[0]));
            bad[nbad++] = items[i].uid;
        } else if (rcs[i] != UNTRIED && !err->code)
            ch_error_set(err, CH_E_STORE, "%s", why[i]);
    }
    int mr = mark_taken(c, o, ok, nok, err);
    if (!mr)
        sum->taken += nok;
    if (!mr && !(mr = mark_refused(c, o, bad, nbad, err))) {
        sum->refused += nbad;
        for (size_t i = 0; i < nbad && h->refused; i++)
            h->refused(h->arg, bad[i], why[i]);
    }
    rc = mr;
out:
    for (size_t i = 0; i < n; i++) {
        free(items[i].raw);
        items[i].raw = NULL;
    }
    free(set);
    free(uids);
    free(ok);
    free(bad);
    free(why);
    free(rcs);
    return rc;
}

/* Sizes and arrival times of up to SIZE_CHUNK messages, then their bodies
 * in groups no larger than the batch and GROUP_BYTES. */
static int take_chunk(conn *c, const ch_imap_options *o, const ch_imap_handler *h,
                      const uint32_t *uids, size_t n, ch_imap_summary *sum, bool *stop,
                      ch_error *err)
{
    size_t max_bytes = o->max_bytes ? o->max_bytes : 25u * 1024 * 1024;
    size_t batch = o->batch ? o->batch : 200;
    item *items = calloc(n, sizeof(*items));
    uint32_t *big = malloc(n * sizeof(*big));
    char *set = uid_set(uids, n);
    size_t nbig = 0, nitems = 0;
    int rc = CH_OK;
    if (!items || !big || !set) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        items[i] = (item){.uid = uids[i], .size = SIZE_MAX};
    fetch_ctx f = {items, n};
    if ((rc = command(c, err, "UID FETCH %s (UID RFC822.SIZE INTERNALDATE)", set)) ||
        (rc = response(c, on_fetch, &f, err))) {
        if (rc == CH_E_INVALID)
            rc = ch_error_set(err, CH_E_IO, "the IMAP server at %s would not list the messages: %s",
                              c->where, c->text);
        goto out;
    }
    /* Too large ones are refused unfetched; gone ones (no size) dropped. */
    for (size_t i = 0; i < n; i++) {
        if (items[i].size == SIZE_MAX) {
            sum->found--;
            continue;
        }
        if (items[i].size > max_bytes)
            big[nbig++] = items[i].uid;
        else
            items[nitems++] = items[i];
    }
    if (nbig && !(rc = mark_refused(c, o, big, nbig, err))) {
        sum->refused += nbig;
        for (size_t i = 0; i < nbig && h->refused; i++) {
            char why[160];
            snprintf(why, sizeof(why), "it is larger than the %zu bytes a message may be",
                     max_bytes);
            h->refused(h->arg, big[i], why);
        }
    }
    c->max_literal = max_bytes + 65536;
    for (size_t i = 0; !rc && !*stop && i < nitems;) {
        size_t j = i, bytes = 0;
        while (j < nitems && j - i < batch && (j == i || bytes + items[j].size <= GROUP_BYTES))
            bytes += items[j++].size;
        rc = take_group(c, o, h, items + i, j - i, sum, stop, err);
        i = j;
    }
out:
    free(items);
    free(big);
    free(set);
    return rc;
}

int ch_imap_poll(const ch_imap_options *o, const ch_imap_handler *h, ch_imap_summary *sum,
                 ch_error *err)
{
    conn c = {.sock = CURL_SOCKET_BAD};
    uid_list found = {0};
    char mailbox[256];
    bool stop = false;
    int rc;
    *sum = (ch_imap_summary){0};
    if ((rc = url_parts(o->url, c.where, sizeof(c.where), mailbox, sizeof(mailbox), err)))
        return rc;
    if ((o->move_to && !folder_ok(o->move_to)) || (o->refused_to && !folder_ok(o->refused_to)))
        return ch_error_set(err, CH_E_INVALID,
                            "a folder name must be 1-200 plain ASCII letters, digits and "
                            "punctuation");
    if (!o->user || !o->user[0] || strlen(o->user) > 254 || !o->password)
        return ch_error_set(err, CH_E_INVALID, "the IMAP user name must be 1-254 characters");
    if ((rc = open_conn(&c, o, mailbox, err)))
        goto out;
    if ((o->move_to && (rc = check_folder(&c, o->move_to, "taken", err))) ||
        (o->refused_to && (rc = check_folder(&c, o->refused_to, "refused", err))))
        goto out;
    rc = command(&c, err, "UID SEARCH UNSEEN UNDELETED UNKEYWORD %s", CH_IMAP_REFUSED_KEYWORD);
    if (!rc)
        rc = response(&c, on_search, &found, err);
    if (rc == CH_E_INVALID)
        rc = ch_error_set(err, CH_E_IO, "the IMAP server at %s would not search the mailbox: %s",
                          c.where, c.text);
    if (rc)
        goto out;
    if (found.n)
        qsort(found.v, found.n, sizeof(*found.v), cmp_uid);
    sum->found = found.n;
    for (size_t i = 0; !rc && !stop && i < found.n; i += SIZE_CHUNK) {
        size_t n = found.n - i < SIZE_CHUNK ? found.n - i : SIZE_CHUNK;
        rc = take_chunk(&c, o, h, found.v + i, n, sum, &stop, err);
    }
    if (!rc && stop)
        rc = CH_E_STORE;
    if (!rc && command(&c, err, "LOGOUT") == CH_OK)
        response(&c, NULL, NULL, err); /* the messages are marked; a lost goodbye is no matter */
    if (!rc)
        ch_error_clear(err);
out:
    sum->left = sum->found - sum->taken - sum->refused;
    if (c.curl)
        curl_easy_cleanup(c.curl);
    free(c.buf);
    free(found.v);
    return rc;
}
