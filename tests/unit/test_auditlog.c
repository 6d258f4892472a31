/* The audit log's hash chain: the canonical encoding (checked byte by byte
 * and against a SHA-256 worked out independently), the links, and the walk
 * naming the first row changed, removed or reordered. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include "core/auditlog.h"

static ch_auditlog_entry row(int64_t id, const char *action, int64_t object_id)
{
    return (ch_auditlog_entry){.id = id,
                               .at = 1764633600 + id,
                               .user_id = 7,
                               .action = action,
                               .object = "case",
                               .object_id = object_id,
                               .remote = "127.0.0.1"};
}

static void the_encoding_is_length_prefixed_and_big_endian(void **state)
{
    (void)state;
    ch_auditlog_entry e = row(1, "create", 42);
    e.at = 1764633600;
    e.seq = 1;
    e.prev_hash = ch_auditlog_genesis;
    unsigned char buf[512];
    size_t n = ch_auditlog_encode(&e, buf, sizeof(buf));
    assert_int_equal(n, 150);
    /* The tag, as a text: 4-byte length then its bytes. */
    assert_memory_equal(buf,
                        "\0\0\0\x0f"
                        "charter-audit-1",
                        19);
    /* seq 1 as 8 bytes big-endian. */
    assert_memory_equal(buf + 19, "\0\0\0\0\0\0\0\x01", 8);
    /* A buffer too small is not written, and the length needed is given. */
    unsigned char small[8] = {0};
    assert_int_equal(ch_auditlog_encode(&e, small, sizeof(small)), 150);
    assert_memory_equal(small, "\0\0\0\0\0\0\0\0", 8);
    /* The SHA-256 of that encoding, worked out with Python's hashlib. */
    char hash[CH_AUDITLOG_HEX];
    assert_int_equal(ch_auditlog_hash(&e, hash), 0);
    assert_string_equal(hash, "109cd3ba762190eda4dde99f0876725a55bcf57cc2f8948c1bf4e5611033f084");
}

static void no_two_rows_encode_alike(void **state)
{
    (void)state;
    char a[CH_AUDITLOG_HEX], b[CH_AUDITLOG_HEX];
    ch_auditlog_entry x = row(1, "ab", 1), y = row(1, "a", 1);
    x.object = "c";
    y.object = "bc";
    x.prev_hash = y.prev_hash = ch_auditlog_genesis;
    ch_auditlog_hash(&x, a);
    ch_auditlog_hash(&y, b);
    assert_string_not_equal(a, b); /* text boundaries count */
    x = row(1, "read", 1);
    y = x;
    y.remote = NULL;
    x.remote = "";
    ch_auditlog_hash(&x, a);
    ch_auditlog_hash(&y, b);
    assert_string_not_equal(a, b); /* no address is not an empty one */
    /* id is not hashed: a copy to another desk keeps its hashes. */
    y = x;
    y.id = 999;
    ch_auditlog_hash(&y, b);
    assert_string_equal(a, b);
    /* A long text still hashes; one over 64 KiB is refused. */
    static char longer[70000];
    memset(longer, 'x', sizeof(longer) - 1);
    x.remote = longer + sizeof(longer) - 2000;
    assert_int_equal(ch_auditlog_hash(&x, a), 0);
    x.remote = longer;
    assert_int_equal(ch_auditlog_hash(&x, a), -1);
}

enum { N = 6 };
typedef struct chain {
    ch_auditlog_entry e[N];
    char prev[N][CH_AUDITLOG_HEX], hash[N][CH_AUDITLOG_HEX];
} chain;

static void build(chain *c)
{
    static const char *const actions[N] = {"create", "read", "update", "read", "create", "read"};
    for (int i = 0; i < N; i++) {
        c->e[i] = row(i + 1, actions[i], 10 + i);
        assert_int_equal(
            ch_auditlog_link(&c->e[i], i, i ? c->hash[i - 1] : NULL, c->prev[i], c->hash[i]), 0);
    }
}

/* Walks rows in the order given; returns the fault and the walk. */
static ch_auditlog_fault walk(const ch_auditlog_entry *rows, size_t n, int64_t unchained,
                              int64_t unchained_max_id, ch_auditlog_walk *w)
{
    ch_auditlog_walk_init(w);
    for (size_t i = 0; i < n && ch_auditlog_walk_step(w, &rows[i]); i++)
        ;
    return ch_auditlog_walk_end(w, unchained, unchained_max_id);
}

static void links_start_at_genesis_and_follow_each_other(void **state)
{
    (void)state;
    chain c;
    build(&c);
    assert_int_equal(c.e[0].seq, 1);
    assert_string_equal(c.e[0].prev_hash, ch_auditlog_genesis);
    for (int i = 1; i < N; i++) {
        assert_int_equal(c.e[i].seq, i + 1);
        assert_string_equal(c.e[i].prev_hash, c.hash[i - 1]);
    }
    ch_auditlog_walk w;
    assert_int_equal(walk(c.e, N, 0, 0, &w), CH_AUDITLOG_WHOLE);
    assert_int_equal(w.rows, N);
    assert_non_null(strstr(w.msg, "whole: 6 rows"));
    assert_non_null(strstr(w.msg, c.hash[N - 1]));
    /* Rows from before the chain are counted, not judged. */
    assert_int_equal(walk(c.e, N, 3, 0, &w), CH_AUDITLOG_WHOLE);
    assert_non_null(strstr(w.msg, "3 older rows"));
    /* An empty chain is whole. */
    assert_int_equal(walk(NULL, 0, 0, 0, &w), CH_AUDITLOG_WHOLE);
    assert_non_null(strstr(w.msg, "whole: 0 rows"));
}

static void an_edited_row_is_named_as_changed(void **state)
{
    (void)state;
    chain c;
    build(&c);
    ch_auditlog_walk w;
    c.e[2].remote = "203.0.113.9";
    assert_int_equal(walk(c.e, N, 0, 0, &w), CH_AUDITLOG_CHANGED);
    assert_int_equal(w.fault_id, 3);
    assert_non_null(strstr(w.msg, "row 3 (seq 3) was changed"));
    /* Its hash recomputed to match: the next row's link gives it away. */
    build(&c);
    char forged[CH_AUDITLOG_HEX];
    c.e[2].action = "delete";
    ch_auditlog_hash(&c.e[2], forged);
    c.e[2].hash = forged;
    assert_int_equal(walk(c.e, N, 0, 0, &w), CH_AUDITLOG_CHANGED);
    assert_int_equal(w.fault_id, 4);
    assert_non_null(strstr(w.msg, "link does not match"));
    /* A hash blanked is a change too. */
    build(&c);
    c.e[0].hash = NULL;
    assert_int_equal(walk(c.e, N, 0, 0, &w), CH_AUDITLOG_CHANGED);
    assert_int_equal(w.fault_id, 1);
    /* A row stripped of its seq, written after the chain began. */
    build(&c);
    assert_int_equal(walk(c.e, N - 1, 1, N, &w), CH_AUDITLOG_CHANGED);
    assert_int_equal(w.fault_id, N);
    assert_non_null(strstr(w.msg, "no longer carries its place"));
}

static void a_gap_is_named_as_removed(void **state)
{
    (void)state;
    chain c;
    build(&c);
    ch_auditlog_walk w;
    ch_auditlog_entry rows[N - 1] = {c.e[0], c.e[1], c.e[3], c.e[4], c.e[5]};
    assert_int_equal(walk(rows, N - 1, 0, 0, &w), CH_AUDITLOG_REMOVED);
    assert_int_equal(w.fault_id, 4);
    assert_non_null(strstr(w.msg, "seq 3 was removed"));
    /* Two gone; and the first row gone. */
    ch_auditlog_entry two[N - 2] = {c.e[0], c.e[3], c.e[4], c.e[5]};
    assert_int_equal(walk(two, N - 2, 0, 0, &w), CH_AUDITLOG_REMOVED);
    assert_non_null(strstr(w.msg, "2 audit rows (seq 2 to 3) were removed"));
    assert_int_equal(walk(c.e + 1, N - 1, 0, 0, &w), CH_AUDITLOG_REMOVED);
    assert_int_equal(w.fault_id, 2);
    assert_non_null(strstr(w.msg, "seq 1 was removed"));
    assert_int_equal(walk(c.e + 3, N - 3, 0, 0, &w), CH_AUDITLOG_REMOVED);
    assert_non_null(strstr(w.msg, "3 audit rows (seq 1 to 3) were removed"));
}

static void a_head_purged_by_retention_is_whole_when_a_purge_row_says_so(void **state)
{
    (void)state;
    chain c;
    build(&c);
    /* Rows 1-2 purged; row 6 is the purge's own row naming seq 2. */
    c.e[5].action = CH_AUDITLOG_PURGE;
    c.e[5].object = "audit";
    c.e[5].object_id = 2;
    assert_int_equal(ch_auditlog_link(&c.e[5], 5, c.hash[4], c.prev[5], c.hash[5]), 0);
    ch_auditlog_walk w;
    assert_int_equal(walk(c.e + 2, N - 2, 0, 0, &w), CH_AUDITLOG_WHOLE);
    assert_non_null(strstr(w.msg, "purged (row 6 says so)"));
    /* A purge row naming another seq does not cover this head. */
    c.e[5].object_id = 1;
    assert_int_equal(ch_auditlog_link(&c.e[5], 5, c.hash[4], c.prev[5], c.hash[5]), 0);
    assert_int_equal(walk(c.e + 2, N - 2, 0, 0, &w), CH_AUDITLOG_REMOVED);
    assert_int_equal(w.fault_id, 3);
    /* The first row left must still match its own hash. */
    c.e[5].object_id = 2;
    assert_int_equal(ch_auditlog_link(&c.e[5], 5, c.hash[4], c.prev[5], c.hash[5]), 0);
    c.e[2].remote = "203.0.113.9";
    assert_int_equal(walk(c.e + 2, N - 2, 0, 0, &w), CH_AUDITLOG_CHANGED);
    assert_int_equal(w.fault_id, 3);
}

static void a_swapped_pair_is_named_as_reordered(void **state)
{
    (void)state;
    chain c;
    build(&c);
    ch_auditlog_walk w;
    /* Rows 2 and 4 traded everything but their ids: read in seq order,
     * the ids go 1, 4, 3, 2, ... */
    ch_auditlog_entry rows[N];
    memcpy(rows, c.e, sizeof(rows));
    rows[1].id = 4;
    rows[3].id = 2;
    assert_int_equal(walk(rows, N, 0, 0, &w), CH_AUDITLOG_REORDERED);
    assert_int_equal(w.fault_id, 4);
    assert_non_null(strstr(w.msg, "row 4 (seq 2) was reordered"));
    /* A second row at one seq. */
    ch_auditlog_entry twice[3] = {c.e[0], c.e[1], c.e[1]};
    twice[2].id = 9;
    assert_int_equal(walk(twice, 3, 0, 0, &w), CH_AUDITLOG_REORDERED);
    assert_int_equal(w.fault_id, 9);
}

static void a_recorded_hash_catches_a_rewrite_and_a_cut_end(void **state)
{
    (void)state;
    chain c;
    build(&c);
    ch_auditlog_walk w;
    /* As recorded: whole. */
    ch_auditlog_walk_init(&w);
    ch_auditlog_walk_expect(&w, 4, c.hash[3]);
    for (int i = 0; i < N; i++)
        assert_true(ch_auditlog_walk_step(&w, &c.e[i]));
    assert_int_equal(ch_auditlog_walk_end(&w, 0, 0), CH_AUDITLOG_WHOLE);
    /* Row 2 edited and every hash after it recomputed: whole on its own,
     * but row 4 no longer carries the hash recorded. */
    char recorded[CH_AUDITLOG_HEX];
    memcpy(recorded, c.hash[3], sizeof(recorded));
    c.e[1].action = "delete";
    for (int i = 1; i < N; i++)
        ch_auditlog_link(&c.e[i], i, c.hash[i - 1], c.prev[i], c.hash[i]);
    assert_int_equal(walk(c.e, N, 0, 0, &w), CH_AUDITLOG_WHOLE);
    ch_auditlog_walk_init(&w);
    ch_auditlog_walk_expect(&w, 4, recorded);
    for (int i = 0; i < N && ch_auditlog_walk_step(&w, &c.e[i]); i++)
        ;
    assert_int_equal(ch_auditlog_walk_end(&w, 0, 0), CH_AUDITLOG_CHANGED);
    assert_int_equal(w.fault_id, 4);
    assert_non_null(strstr(w.msg, "rewritten"));
    /* The newest rows cut off: seq 6 recorded, the chain ends at 4. */
    build(&c);
    ch_auditlog_walk_init(&w);
    ch_auditlog_walk_expect(&w, 6, c.hash[5]);
    for (int i = 0; i < 4; i++)
        assert_true(ch_auditlog_walk_step(&w, &c.e[i]));
    assert_int_equal(ch_auditlog_walk_end(&w, 0, 0), CH_AUDITLOG_REMOVED);
    assert_non_null(strstr(w.msg, "ends at seq 4, but seq 6 was recorded"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_encoding_is_length_prefixed_and_big_endian),
        cmocka_unit_test(no_two_rows_encode_alike),
        cmocka_unit_test(links_start_at_genesis_and_follow_each_other),
        cmocka_unit_test(an_edited_row_is_named_as_changed),
        cmocka_unit_test(a_gap_is_named_as_removed),
        cmocka_unit_test(a_head_purged_by_retention_is_whole_when_a_purge_row_says_so),
        cmocka_unit_test(a_swapped_pair_is_named_as_reordered),
        cmocka_unit_test(a_recorded_hash_catches_a_rewrite_and_a_cut_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
