/* The audit log's hash chain: the canonical encoding of one audit row, its
 * SHA-256, and the walk that checks a chain row by row. Pure: the store
 * reads and writes the rows, this decides what their hashes are and
 * whether the chain is whole. */
#ifndef CH_AUDITLOG_H
#define CH_AUDITLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/civil.h"

/* A hash as lowercase hex, with its terminating NUL. */
enum { CH_AUDITLOG_HEX = 65 };

/* One audit row as the chain sees it. seq is its place in the chain
 * (1, 2, ...); prev_hash the hash of the row at seq - 1 (64 zeros for the
 * first); hash this row's own. id, the table's key, is not hashed: it only
 * tells the walk the order rows were written in. */
typedef struct ch_auditlog_entry {
    int64_t id, seq;
    ch_time at;
    int64_t user_id; /* 0 when none */
    const char *action, *object;
    int64_t object_id; /* 0 when none */
    const char *remote;
    const char *prev_hash, *hash;
} ch_auditlog_entry;

/* The hash of the chain before its first row: 64 zeros. */
extern const char ch_auditlog_genesis[CH_AUDITLOG_HEX];

/* Writes the canonical encoding of e (every field but id and hash) into
 * buf and returns its length; when size is too small, returns the length
 * needed and writes nothing. Integers are 8 bytes big-endian; texts a
 * 4-byte big-endian length (0xffffffff for none) and their bytes, so no
 * two different rows encode alike. */
size_t ch_auditlog_encode(const ch_auditlog_entry *e, unsigned char *buf, size_t size);

/* The SHA-256 of e's encoding, as hex, into out. -1 when a text is too long
 * to encode (over 64 KiB altogether), else 0. */
int ch_auditlog_hash(const ch_auditlog_entry *e, char out[CH_AUDITLOG_HEX]);

/* Makes e the row after the one whose seq and hash are given (last_seq 0
 * and last_hash NULL when the chain is empty): sets e->seq, e->prev_hash
 * (to prev) and e->hash (to hash). -1 as ch_auditlog_hash. */
int ch_auditlog_link(ch_auditlog_entry *e, int64_t last_seq, const char *last_hash,
                     char prev[CH_AUDITLOG_HEX], char hash[CH_AUDITLOG_HEX]);

typedef enum ch_auditlog_fault {
    CH_AUDITLOG_WHOLE,
    CH_AUDITLOG_CHANGED,   /* a row's content no longer matches its hash or link */
    CH_AUDITLOG_REMOVED,   /* a gap in seq */
    CH_AUDITLOG_REORDERED, /* seq order disagrees with the order rows were written */
} ch_auditlog_fault;

/* Retention may delete the oldest rows, a prefix of the chain and only
 * that: in the same transaction it appends a row with this action, object
 * "audit" and object_id the last seq deleted. The walk then takes the
 * first row left as the chain's start; without that row the missing head
 * is reported as removed. */
#define CH_AUDITLOG_PURGE "purge"

/* The walk over a chain, fed its rows in seq order. */
typedef struct ch_auditlog_walk {
    int64_t rows; /* chained rows seen */
    int64_t last_seq, last_id, first_id;
    int64_t purged;   /* the chain starts after this seq: its head is gone */
    int64_t purge_id; /* the row that says so, once seen */
    /* A row recorded from an earlier run (ch_auditlog_walk_expect). */
    int64_t expect_seq;
    char expect_hash[CH_AUDITLOG_HEX];
    bool expect_seen;
    char last_hash[CH_AUDITLOG_HEX];
    ch_auditlog_fault fault;
    int64_t fault_id; /* the first row found wrong (for REMOVED: the row after the gap) */
    char msg[512];    /* a sentence for a person: what is wrong, or that the chain is whole */
} ch_auditlog_walk;

void ch_auditlog_walk_init(ch_auditlog_walk *w);
/* Asks the walk to check that the row at seq still carries hash (as an
 * earlier run printed them): a different hash means the chain was rewritten
 * from there or before (changed); no such row, that the newest rows were
 * removed. hash must be 64 lowercase hex digits. */
void ch_auditlog_walk_expect(ch_auditlog_walk *w, int64_t seq, const char *hash);
/* Checks the next row. Returns true while the chain is whole so far; false
 * once a fault is found (w->fault, w->fault_id and w->msg say which), after
 * which further rows are ignored. */
bool ch_auditlog_walk_step(ch_auditlog_walk *w, const ch_auditlog_entry *e);
/* Ends the walk, given how many rows carry no seq (written before the
 * chain began) and the largest of their ids: such a row after the chain's
 * first is one whose seq was cleared, so changed. Sets w->msg; returns
 * w->fault. */
ch_auditlog_fault ch_auditlog_walk_end(ch_auditlog_walk *w, int64_t unchained,
                                       int64_t unchained_max_id);

#endif
