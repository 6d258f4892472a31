/* The audit log's hash chain (see auditlog.h): a length-prefixed encoding
 * so no two rows encode alike, SHA-256 over it, and the walk that names
 * the first row changed, removed or reordered. */
#include "core/auditlog.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char ch_auditlog_genesis[CH_AUDITLOG_HEX] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* Bumped if the encoding ever changes, so old and new hashes never meet. */
static const char tag[] = "charter-audit-1";

enum { MAX_ENCODING = 65536 };

static size_t put_int(unsigned char *buf, size_t at, size_t size, int64_t v)
{
    uint64_t u = (uint64_t)v;
    if (at + 8 <= size)
        for (int i = 0; i < 8; i++)
            buf[at + (size_t)i] = (unsigned char)(u >> (56 - 8 * i));
    return at + 8;
}

static size_t put_text(unsigned char *buf, size_t at, size_t size, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    uint32_t len = s ? (uint32_t)n : 0xffffffffu;
    if (at + 4 <= size)
        for (int i = 0; i < 4; i++)
            buf[at + (size_t)i] = (unsigned char)(len >> (24 - 8 * i));
    at += 4;
    if (n && at + n <= size)
        memcpy(buf + at, s, n);
    return at + n;
}

size_t ch_auditlog_encode(const ch_auditlog_entry *e, unsigned char *buf, size_t size)
{
    /* First measure, then write only when it all fits. */
    size_t need = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t room = pass ? size : 0, at = 0;
        if (pass && need > size)
            return need;
        at = put_text(buf, at, room, tag);
        at = put_int(buf, at, room, e->seq);
        at = put_int(buf, at, room, e->at);
        at = put_int(buf, at, room, e->user_id);
        at = put_text(buf, at, room, e->action);
        at = put_text(buf, at, room, e->object);
        at = put_int(buf, at, room, e->object_id);
        at = put_text(buf, at, room, e->remote);
        at = put_text(buf, at, room, e->prev_hash);
        need = at;
    }
    return need;
}

int ch_auditlog_hash(const ch_auditlog_entry *e, char out[CH_AUDITLOG_HEX])
{
    unsigned char buf[1024], *p = buf, digest[crypto_hash_sha256_BYTES];
    size_t n = ch_auditlog_encode(e, buf, sizeof(buf));
    if (n > MAX_ENCODING)
        return -1;
    if (n > sizeof(buf)) {
        if (!(p = malloc(n)))
            return -1;
        ch_auditlog_encode(e, p, n);
    }
    crypto_hash_sha256(digest, p, n);
    if (p != buf)
        free(p);
    sodium_bin2hex(out, CH_AUDITLOG_HEX, digest, sizeof(digest));
    return 0;
}

int ch_auditlog_link(ch_auditlog_entry *e, int64_t last_seq, const char *last_hash,
                     char prev[CH_AUDITLOG_HEX], char hash[CH_AUDITLOG_HEX])
{
    snprintf(prev, CH_AUDITLOG_HEX, "%s", last_hash ? last_hash : ch_auditlog_genesis);
    e->seq = last_seq + 1;
    e->prev_hash = prev;
    if (ch_auditlog_hash(e, hash))
        return -1;
    e->hash = hash;
    return 0;
}

void ch_auditlog_walk_init(ch_auditlog_walk *w)
{
    memset(w, 0, sizeof(*w));
    memcpy(w->last_hash, ch_auditlog_genesis, CH_AUDITLOG_HEX);
}

void ch_auditlog_walk_expect(ch_auditlog_walk *w, int64_t seq, const char *hash)
{
    w->expect_seq = seq;
    snprintf(w->expect_hash, sizeof(w->expect_hash), "%s", hash);
}

static bool fault(ch_auditlog_walk *w, ch_auditlog_fault f, int64_t id)
{
    w->fault = f;
    w->fault_id = id;
    return false;
}

bool ch_auditlog_walk_step(ch_auditlog_walk *w, const ch_auditlog_entry *e)
{
    if (w->fault != CH_AUDITLOG_WHOLE)
        return false;
    int64_t want = w->last_seq + 1;
    bool head = !w->rows && e->seq > 1;
    if (head) {
        /* A head gone: judged at the end, by whether a purge row names it.
         * The first row left links to a hash no longer here. */
        w->purged = e->seq - 1;
        want = e->seq;
    }
    if (e->seq > want) {
        if (e->seq - want == 1)
            snprintf(w->msg, sizeof(w->msg),
                     "the audit row with seq %" PRId64
                     " was removed: the chain goes from seq %" PRId64 " to row %" PRId64
                     " (seq %" PRId64 ").",
                     want, w->last_seq, e->id, e->seq);
        else
            snprintf(w->msg, sizeof(w->msg),
                     "%" PRId64 " audit rows (seq %" PRId64 " to %" PRId64 ") were removed: the"
                     " chain goes from seq %" PRId64 " to row %" PRId64 " (seq %" PRId64 ").",
                     e->seq - want, want, e->seq - 1, w->last_seq, e->id, e->seq);
        return fault(w, CH_AUDITLOG_REMOVED, e->id);
    }
    if (e->seq < want) {
        /* Only a second row at one place (the unique index dropped). */
        snprintf(w->msg, sizeof(w->msg),
                 "audit row %" PRId64 " (seq %" PRId64 ") was reordered: seq %" PRId64
                 " is already held by row %" PRId64 ".",
                 e->id, e->seq, e->seq, w->last_id);
        return fault(w, CH_AUDITLOG_REORDERED, e->id);
    }
    if (w->rows && e->id <= w->last_id) {
        /* Rows are written in chain order, so ids rise with seq; the row
         * before this one was written after it, so sits too early. */
        snprintf(w->msg, sizeof(w->msg),
                 "audit row %" PRId64 " (seq %" PRId64 ") was reordered: it holds an earlier"
                 " place in the chain than row %" PRId64 " (seq %" PRId64
                 "), which was written before it.",
                 w->last_id, w->last_seq, e->id, e->seq);
        return fault(w, CH_AUDITLOG_REORDERED, w->last_id);
    }
    char hash[CH_AUDITLOG_HEX];
    if (ch_auditlog_hash(e, hash) || !e->hash || strcmp(hash, e->hash) != 0) {
        snprintf(w->msg, sizeof(w->msg),
                 "audit row %" PRId64 " (seq %" PRId64 ") was changed: its content no longer"
                 " matches its hash.",
                 e->id, e->seq);
        return fault(w, CH_AUDITLOG_CHANGED, e->id);
    }
    if (!e->prev_hash || (!head && strcmp(e->prev_hash, w->last_hash) != 0)) {
        snprintf(w->msg, sizeof(w->msg),
                 "audit row %" PRId64 " (seq %" PRId64 ") was changed, or the row before it"
                 " was: its link does not match the previous row's hash.",
                 e->id, e->seq);
        return fault(w, CH_AUDITLOG_CHANGED, e->id);
    }
    if (w->expect_seq && e->seq == w->expect_seq) {
        w->expect_seen = true;
        if (strcmp(hash, w->expect_hash) != 0) {
            snprintf(w->msg, sizeof(w->msg),
                     "audit row %" PRId64 " (seq %" PRId64 ") was changed: it no longer carries"
                     " the hash recorded for it, so the chain was rewritten from there or"
                     " before.",
                     e->id, e->seq);
            return fault(w, CH_AUDITLOG_CHANGED, e->id);
        }
    }
    if (!w->rows)
        w->first_id = e->id;
    if (w->purged && e->object_id == w->purged && e->action && e->object &&
        strcmp(e->action, CH_AUDITLOG_PURGE) == 0 && strcmp(e->object, "audit") == 0)
        w->purge_id = e->id;
    w->rows++;
    w->last_seq = e->seq;
    w->last_id = e->id;
    memcpy(w->last_hash, hash, CH_AUDITLOG_HEX);
    return true;
}

ch_auditlog_fault ch_auditlog_walk_end(ch_auditlog_walk *w, int64_t unchained,
                                       int64_t unchained_max_id)
{
    if (w->fault != CH_AUDITLOG_WHOLE)
        return w->fault;
    if (w->purged && !w->purge_id) {
        if (w->purged == 1)
            snprintf(w->msg, sizeof(w->msg),
                     "the audit row with seq 1 was removed: the chain starts at row %" PRId64
                     " (seq 2), and no purge row says the head was deleted.",
                     w->first_id);
        else
            snprintf(w->msg, sizeof(w->msg),
                     "%" PRId64 " audit rows (seq 1 to %" PRId64 ") were removed: the chain"
                     " starts at row %" PRId64 " (seq %" PRId64
                     "), and no purge row says the head was deleted.",
                     w->purged, w->purged, w->first_id, w->purged + 1);
        fault(w, CH_AUDITLOG_REMOVED, w->first_id);
        return w->fault;
    }
    if (w->expect_seq && !w->expect_seen && w->expect_seq > w->purged) {
        snprintf(w->msg, sizeof(w->msg),
                 "audit rows were removed from the end: the chain ends at seq %" PRId64
                 ", but seq %" PRId64 " was recorded.",
                 w->last_seq, w->expect_seq);
        fault(w, CH_AUDITLOG_REMOVED, 0);
        return w->fault;
    }
    if (unchained && w->rows && unchained_max_id > w->first_id) {
        snprintf(w->msg, sizeof(w->msg),
                 "audit row %" PRId64 " was changed: it was written after the chain began"
                 " (row %" PRId64 ") but no longer carries its place in it.",
                 unchained_max_id, w->first_id);
        fault(w, CH_AUDITLOG_CHANGED, unchained_max_id);
        return w->fault;
    }
    int len = snprintf(w->msg, sizeof(w->msg),
                       "The audit chain is whole: %" PRId64 " rows, the last seq %" PRId64
                       " with hash %s (record it, and check later with --recorded %" PRId64 ":%s).",
                       w->rows, w->last_seq, w->last_hash, w->last_seq, w->last_hash);
    if (w->purged && len > 0 && (size_t)len < sizeof(w->msg))
        len += snprintf(w->msg + len, sizeof(w->msg) - (size_t)len,
                        " Rows up to seq %" PRId64 " were purged (row %" PRId64 " says so).",
                        w->purged, w->purge_id);
    if (unchained && len > 0 && (size_t)len < sizeof(w->msg))
        snprintf(w->msg + len, sizeof(w->msg) - (size_t)len,
                 " %" PRId64 " older rows, from before the chain began, are not covered.",
                 unchained);
    return w->fault;
}
