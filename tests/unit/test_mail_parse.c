/* Reading mail as real clients send it (the corpus in tests/data/mail,
 * checked against expect.tsv beside it), the HTML reader, and writing a
 * message that reads back as it was meant: names that stay names, subjects
 * in any script, attachments and thread headers intact. */
#include "helpers.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/text.h"
#include "mail/html.h"
#include "mail/mail.h"
#include "mail/message.h"

#ifndef CHARTER_MAIL_CORPUS
#error "CHARTER_MAIL_CORPUS must name tests/data/mail"
#endif

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap + 1);
    assert_non_null(buf);
    n = fread(buf, 1, cap, fp);
    fclose(fp);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static char *corpus_file(const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", CHARTER_MAIL_CORPUS, name);
    return slurp(path, len);
}

/* "\n" in an expectation stands for a line break. */
static void unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] == 'n') {
            *o++ = '\n';
            p++;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

static const char *auto_name(ch_auto_kind k)
{
    switch (k) {
    case CH_AUTO_NONE:
        return "none";
    case CH_AUTO_SUBMITTED:
        return "submitted";
    case CH_AUTO_BULK:
        return "bulk";
    case CH_AUTO_LIST:
        return "list";
    case CH_AUTO_DAEMON:
        return "daemon";
    }
    return "?";
}

static bool has_address(const ch_address *items, size_t n, const char *addr)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].addr, addr) == 0)
            return true;
    return false;
}

static const char *or_none(const char *s)
{
    return s ? s : "-";
}

/* Whether message m meets one expectation; prints what it found if not. */
static bool meets(const char *file, const ch_message *m, const char *field, const char *want)
{
    char got[4096] = "";
    bool ok;
    if (strcmp(field, "subject") == 0) {
        ok = strcmp(m->subject, want) == 0;
        snprintf(got, sizeof(got), "%s", m->subject);
    } else if (strcmp(field, "from") == 0) {
        ok = strcmp(m->from.addr, want) == 0;
        snprintf(got, sizeof(got), "%s", m->from.addr);
    } else if (strcmp(field, "from_name") == 0) {
        ok = strcmp(or_none(m->from.name), want) == 0;
        snprintf(got, sizeof(got), "%s", or_none(m->from.name));
    } else if (strcmp(field, "reply_to") == 0) {
        ok = strcmp(or_none(m->reply_to.addr), want) == 0;
        snprintf(got, sizeof(got), "%s", or_none(m->reply_to.addr));
    } else if (strcmp(field, "to") == 0) {
        ok = has_address(m->to, m->nto, want);
        snprintf(got, sizeof(got), "%zu addresses", m->nto);
    } else if (strcmp(field, "cc") == 0) {
        ok = has_address(m->cc, m->ncc, want);
        snprintf(got, sizeof(got), "%zu addresses", m->ncc);
    } else if (strcmp(field, "text") == 0) {
        ok = strstr(m->text, want) != NULL;
        snprintf(got, sizeof(got), "%s", m->text);
    } else if (strcmp(field, "no_text") == 0) {
        ok = strstr(m->text, want) == NULL;
        snprintf(got, sizeof(got), "%s", m->text);
    } else if (strcmp(field, "from_html") == 0) {
        ok = m->from_html == (strcmp(want, "1") == 0);
        snprintf(got, sizeof(got), "%d", m->from_html);
    } else if (strcmp(field, "signed") == 0) {
        ok = m->signed_ == (strcmp(want, "1") == 0);
        snprintf(got, sizeof(got), "%d", m->signed_);
    } else if (strcmp(field, "malformed") == 0) {
        ok = m->malformed == (strcmp(want, "1") == 0);
        snprintf(got, sizeof(got), "%d", m->malformed);
    } else if (strcmp(field, "automatic") == 0) {
        ok = strcmp(auto_name(m->automatic), want) == 0;
        snprintf(got, sizeof(got), "%s", auto_name(m->automatic));
    } else if (strcmp(field, "message_id") == 0) {
        ok = strcmp(or_none(m->message_id), want) == 0;
        snprintf(got, sizeof(got), "%s", or_none(m->message_id));
    } else if (strcmp(field, "in_reply_to") == 0) {
        ok = strcmp(or_none(m->in_reply_to), want) == 0;
        snprintf(got, sizeof(got), "%s", or_none(m->in_reply_to));
    } else if (strcmp(field, "reference") == 0) {
        ok = false;
        for (size_t i = 0; i < m->nreferences; i++)
            ok = ok || strcmp(m->references[i], want) == 0;
        snprintf(got, sizeof(got), "%zu references", m->nreferences);
    } else if (strcmp(field, "date") == 0) {
        if (m->date)
            ch_time_format_utc(m->date, got, sizeof(got));
        else
            snprintf(got, sizeof(got), "0");
        ok = strcmp(got, want) == 0;
    } else if (strcmp(field, "nparts") == 0) {
        snprintf(got, sizeof(got), "%zu", m->nparts);
        ok = strcmp(got, want) == 0;
    } else if (strcmp(field, "part") == 0) {
        ok = false;
        for (size_t i = 0; i < m->nparts; i++) {
            char one[600];
            snprintf(one, sizeof(one), "%s|%s|%s", m->parts[i].filename, m->parts[i].content_type,
                     m->parts[i].inline_ ? "inline" : "attachment");
            ok = ok || strcmp(one, want) == 0;
            size_t used = strlen(got);
            snprintf(got + used, sizeof(got) - used, "%s; ", one);
        }
    } else if (strcmp(field, "bounce") == 0) {
        ok = m->bounce.is_bounce == (strcmp(want, "1") == 0);
        snprintf(got, sizeof(got), "%d", m->bounce.is_bounce);
    } else if (strcmp(field, "bounce_id") == 0) {
        ok = strcmp(or_none(m->bounce.original_id), want) == 0;
        snprintf(got, sizeof(got), "%s", or_none(m->bounce.original_id));
    } else if (strcmp(field, "bounce_rcpt") == 0) {
        ok = strcmp(or_none(m->bounce.recipient), want) == 0;
        snprintf(got, sizeof(got), "%s", or_none(m->bounce.recipient));
    } else if (strcmp(field, "bounce_status") == 0) {
        ok = strcmp(or_none(m->bounce.status), want) == 0;
        snprintf(got, sizeof(got), "%s", or_none(m->bounce.status));
    } else if (strcmp(field, "bounce_diag") == 0) {
        ok = m->bounce.diagnostic && strstr(m->bounce.diagnostic, want);
        snprintf(got, sizeof(got), "%s", or_none(m->bounce.diagnostic));
    } else {
        print_error("%s: no such field '%s' in expect.tsv\n", file, field);
        return false;
    }
    if (!ok)
        print_error("%s: %s should be '%s' but was '%s'\n", file, field, want, got);
    return ok;
}

/* What holds for every message read: UTF-8 throughout, one-line headers,
 * Unix line ends in the text, parts with a name and a type. */
static bool sound(const char *file, const ch_message *m)
{
    const char *one_line[] = {m->subject, m->from.addr, m->from.name, m->reply_to.name};
    bool ok = true;
    for (size_t i = 0; i < sizeof(one_line) / sizeof(*one_line); i++) {
        const char *s = one_line[i];
        if (!s)
            continue;
        ok = ok && ch_utf8_invalid_at(s, strlen(s)) == strlen(s);
        for (const char *p = s; *p; p++)
            ok = ok && (unsigned char)*p >= ' ';
    }
    ok = ok && ch_utf8_invalid_at(m->text, strlen(m->text)) == strlen(m->text);
    ok = ok && !strchr(m->text, '\r');
    for (size_t i = 0; i < m->nparts; i++)
        ok = ok && *m->parts[i].filename && strchr(m->parts[i].content_type, '/') &&
             !strchr(m->parts[i].filename, '/');
    if (!ok)
        print_error("%s: a string is not clean UTF-8 on one line, or a part has no name\n", file);
    return ok;
}

static void corpus_meets_every_expectation(void **state)
{
    (void)state;
    size_t len = 0;
    char *tsv = corpus_file("expect.tsv", &len);
    char *files[64];
    size_t nfiles = 0, checks = 0;
    int failures = 0;
    char *save = NULL;
    for (char *line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (*line == '#' || !*line)
            continue;
        char *file = line, *field = strchr(file, '\t');
        assert_non_null(field);
        *field++ = '\0';
        char *want = strchr(field, '\t');
        assert_non_null(want);
        *want++ = '\0';
        unescape(want);
        size_t n = 0;
        char *raw = corpus_file(file, &n);
        ch_arena arena = {0};
        ch_message m;
        ch_error err = {0};
        int rc = ch_message_parse(raw, n, &arena, &m, &err);
        if (rc != CH_OK) {
            print_error("%s: %s\n", file, err.msg);
            failures++;
        } else {
            failures += !meets(file, &m, field, want);
            failures += !sound(file, &m);
        }
        checks++;
        ch_arena_free(&arena);
        free(raw);
        bool seen = false;
        for (size_t i = 0; i < nfiles; i++)
            seen = seen || strcmp(files[i], file) == 0;
        if (!seen && nfiles < 64)
            files[nfiles++] = file;
    }
    /* Every message in the corpus is checked: none sits there untested. */
    DIR *dir = opendir(CHARTER_MAIL_CORPUS);
    assert_non_null(dir);
    struct dirent *e;
    size_t emls = 0;
    while ((e = readdir(dir))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".eml") != 0)
            continue;
        emls++;
        bool seen = false;
        for (size_t i = 0; i < nfiles; i++)
            seen = seen || strcmp(files[i], e->d_name) == 0;
        if (!seen) {
            print_error("%s has no line in expect.tsv\n", e->d_name);
            failures++;
        }
    }
    closedir(dir);
    free(tsv);
    assert_true(emls >= 14);
    assert_true(checks >= 100);
    assert_int_equal(failures, 0);
}

static void parse_file(const char *name, ch_arena *arena, ch_message *m)
{
    size_t n = 0;
    char *raw = corpus_file(name, &n);
    ch_error err = {0};
    assert_int_equal(ch_message_parse(raw, n, arena, m, &err), CH_OK);
    /* Nothing read may point into the input or into GMime. */
    memset(raw, 'x', n);
    free(raw);
}

static void attachments_keep_their_bytes(void **state)
{
    (void)state;
    ch_arena arena = {0};
    ch_message m;
    parse_file("thunderbird.eml", &arena, &m);
    assert_int_equal(m.nparts, 1);
    assert_int_equal(m.parts[0].len, 142);
    assert_memory_equal(m.parts[0].data, "%PDF-1.4\n", 9);
    assert_memory_equal(m.parts[0].data + 136, "%%EOF\n", 6);
    parse_file("apple.eml", &arena, &m);
    assert_memory_equal(m.parts[0].data, "\x89PNG\r\n\x1a\n", 8);
    parse_file("outlook.eml", &arena, &m);
    assert_memory_equal(m.parts[0].data, "\x78\x9f\x3e\x22", 4); /* TNEF, kept whole */
    parse_file("dsn_postfix.eml", &arena, &m);
    bool copy = false;
    for (size_t i = 0; i < m.nparts; i++)
        if (strcmp(m.parts[i].content_type, "message/rfc822") == 0)
            copy = strstr((const char *)m.parts[i].data, "Thank you for your enquiry.") != NULL;
    assert_true(copy);
    ch_arena_free(&arena);
}

static int parse_text(const char *text, ch_arena *arena, ch_message *m, ch_error *err)
{
    return ch_message_parse(text, strlen(text), arena, m, err);
}

static void what_is_not_a_message_is_refused(void **state)
{
    (void)state;
    ch_arena arena = {0};
    ch_message m;
    ch_error err = {0};
    assert_int_equal(ch_message_parse("", 0, &arena, &m, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "empty"));
    assert_int_equal(parse_text("\r\n\r\n", &arena, &m, &err), CH_E_INVALID);
    assert_int_equal(parse_text("Hello, is anyone there?\n", &arena, &m, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "header"));
    assert_int_equal(parse_text("\nSubject: after a blank line\n", &arena, &m, &err), CH_E_INVALID);
    /* A header and nothing else is a message, with no text. */
    assert_int_equal(parse_text("Subject: only this", &arena, &m, &err), CH_OK);
    assert_string_equal(m.subject, "only this");
    assert_string_equal(m.text, "");
    assert_string_equal(m.from.addr, "");
    assert_null(m.reply_to.addr);
    assert_int_equal(m.date, 0);
    ch_arena_free(&arena);
}

static void a_name_holding_an_address_stays_a_name(void **state)
{
    (void)state;
    ch_arena arena = {0};
    ch_message m;
    ch_error err = {0};
    assert_int_equal(parse_text("From: \"Mallory <m@evil.example>, Head\" <head@school.example>\n"
                                "To: a@cognus.example\nSubject: x\n\nhi\n",
                                &arena, &m, &err),
                     CH_OK);
    assert_string_equal(m.from.addr, "head@school.example");
    assert_string_equal(m.from.name, "Mallory <m@evil.example>, Head");
    /* Broken or missing ids are left out rather than kept half-read. */
    assert_int_equal(parse_text("From: a@b.example\nMessage-ID: <has space@x>\n"
                                "In-Reply-To: nothing useful\n\nhi\n",
                                &arena, &m, &err),
                     CH_OK);
    assert_null(m.message_id);
    ch_arena_free(&arena);
}

static void the_text_is_what_a_person_wrote(void **state)
{
    (void)state;
    ch_arena arena = {0};
    ch_message m;
    ch_error err = {0};
    /* An empty text/plain beside the HTML gives way to the HTML. */
    assert_int_equal(parse_text("From: a@parent.example\nContent-Type: multipart/alternative; "
                                "boundary=b\n\n--b\nContent-Type: text/plain\n\n \n--b\n"
                                "Content-Type: text/html\n\n<p>Only here</p>\n--b--\n",
                                &arena, &m, &err),
                     CH_OK);
    assert_string_equal(m.text, "Only here");
    assert_true(m.from_html);
    /* Text split around a picture (Apple Mail) is read whole; a second
     * alternative is not read twice. */
    assert_int_equal(
        parse_text("From: a@parent.example\nContent-Type: multipart/mixed; boundary=m\n\n"
                   "--m\nContent-Type: text/plain\n\nBefore the picture.\n--m\n"
                   "Content-Type: image/gif\nContent-Disposition: inline\n"
                   "Content-Transfer-Encoding: base64\n\nR0lGODlh\n--m\n"
                   "Content-Type: multipart/alternative; boundary=a\n\n--a\n"
                   "Content-Type: text/plain\n\nAfter it.\n--a\nContent-Type: text/plain\n\n"
                   "After it, again.\n--a--\n--m--\n",
                   &arena, &m, &err),
        CH_OK);
    assert_string_equal(m.text, "Before the picture.\nAfter it.");
    assert_int_equal(m.nparts, 1);
    assert_string_equal(m.parts[0].filename, "attachment-1.gif");
    assert_true(m.parts[0].inline_);
    assert_memory_equal(m.parts[0].data, "GIF89a", 6);
    /* A text file sent as an attachment stays an attachment. */
    assert_int_equal(parse_text("From: a@parent.example\nContent-Type: multipart/mixed; boundary=m"
                                "\n\n--m\nContent-Type: text/plain\n\nSee the notes.\n--m\n"
                                "Content-Type: text/plain; name=\"../../notes.txt\"\n"
                                "Content-Disposition: attachment; filename=\"../../notes.txt\"\n"
                                "\nprivate notes\n--m--\n",
                                &arena, &m, &err),
                     CH_OK);
    assert_string_equal(m.text, "See the notes.");
    assert_int_equal(m.nparts, 1);
    assert_string_equal(m.parts[0].filename, "notes.txt");
    assert_false(m.parts[0].inline_);
    /* A stray NUL or a byte that is not UTF-8 does not cut the text short. */
    static const char nul[] = "From: a@parent.example\nContent-Type: text/plain; charset=utf-8\n\n"
                              "one\0two \xff three\n";
    assert_int_equal(ch_message_parse(nul, sizeof(nul) - 1, &arena, &m, &err), CH_OK);
    assert_string_equal(m.text, "onetwo \xc3\xbf three\n"); /* read as Windows-1252 */
    /* Mostly UTF-8 stays UTF-8; bytes that never form UTF-8 are guessed. */
    assert_int_equal(
        parse_text("From: a@parent.example\n\ncaf\xc3\xa9 \x96 ok\n", &arena, &m, &err), CH_OK);
    assert_string_equal(m.text, "caf\xc3\xa9 \xef\xbf\xbd ok\n");
    assert_int_equal(parse_text("From: a@parent.example\n\ncaf\xe9 \x96 ok\n", &arena, &m, &err),
                     CH_OK);
    assert_string_equal(m.text, "caf\xc3\xa9 \xe2\x80\x93 ok\n");
    /* Precedence: auto_reply and Return-Path <> are machines too. */
    assert_int_equal(
        parse_text("From: a@parent.example\nPrecedence: auto_reply\n\nx\n", &arena, &m, &err),
        CH_OK);
    assert_int_equal(m.automatic, CH_AUTO_SUBMITTED);
    assert_int_equal(parse_text("Return-Path: <>\nFrom: a@parent.example\n\nx\n", &arena, &m, &err),
                     CH_OK);
    assert_int_equal(m.automatic, CH_AUTO_DAEMON);
    assert_int_equal(
        parse_text("From: MAILER-DAEMON (Mail Delivery System)\n\nx\n", &arena, &m, &err), CH_OK);
    assert_string_equal(m.from.addr, "");
    assert_int_equal(m.automatic, CH_AUTO_DAEMON);
    assert_int_equal(
        parse_text("From: a@parent.example\nAuto-Submitted: no\n\nx\n", &arena, &m, &err), CH_OK);
    assert_int_equal(m.automatic, CH_AUTO_NONE);
    ch_arena_free(&arena);
}

static void names_are_decoded_however_they_were_written(void **state)
{
    (void)state;
    ch_arena arena = {0};
    ch_message m;
    ch_error err = {0};
    /* Outlook writes RFC 2047 words inside a quoted file name; a UTF-8
     * character may be split across two Q-encoded words. */
    assert_int_equal(
        parse_text("From: =?UTF-8?Q?=C5?= =?UTF-8?Q?=B4yn_Jones?= <wyn@parent.example>\n"
                   "Subject: =?UTF-8?Q?Ffurflen_=C5?= =?UTF-8?Q?=B5?=\n"
                   "Content-Type: multipart/mixed; boundary=m\n\n--m\n"
                   "Content-Type: text/plain\n\nAttached.\n--m\n"
                   "Content-Type: application/pdf; name=\"=?iso-8859-1?Q?R=E9sum=E9.pdf?=\"\n"
                   "Content-Disposition: attachment; filename=\"=?iso-8859-1?Q?R=E9sum=E9.pdf?=\"\n"
                   "Content-Transfer-Encoding: base64\n\nJVBERg==\n--m--\n",
                   &arena, &m, &err),
        CH_OK);
    assert_string_equal(m.from.name, "\xc5\xb4yn Jones");
    assert_string_equal(m.subject, "Ffurflen \xc5\xb5");
    assert_int_equal(m.nparts, 1);
    assert_string_equal(m.parts[0].filename, "R\xc3\xa9sum\xc3\xa9.pdf");
    assert_int_equal(m.parts[0].len, 4);
    /* A group's members are the recipients; the group name is not. */
    assert_int_equal(parse_text("From: a@parent.example\nTo: Governors: g1@school.example, "
                                "\"Two\" <G2@School.Example>;, c@cognus.example\n\nx\n",
                                &arena, &m, &err),
                     CH_OK);
    assert_int_equal(m.nto, 3);
    assert_string_equal(m.to[1].addr, "G2@school.example");
    assert_string_equal(m.to[1].name, "Two");
    assert_string_equal(m.to[2].addr, "c@cognus.example");
    ch_arena_free(&arena);
}

static void html_reads_as_text(void **state)
{
    (void)state;
    size_t n = 0;
    char *t = ch_mail_html_to_text("<p>One</p><p>Two<br>three</p>", 29, 1000, &n);
    assert_string_equal(t, "One\n\nTwo\nthree");
    assert_int_equal(n, strlen(t));
    free(t);
    const char *hostile = "a < b &bogus; &#0; &#xD800; &#9999999; <!-- never closed";
    t = ch_mail_html_to_text(hostile, strlen(hostile), 1000, &n);
    assert_string_equal(t, "a < b &bogus; \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd");
    free(t);
    t = ch_mail_html_to_text("x<script>alert(1)", 17, 1000, &n);
    assert_string_equal(t, "x");
    free(t);
    t = ch_mail_html_to_text("<a href='>'>link</a> <b title=\"it's\">bold</b>", 45, 1000, &n);
    assert_string_equal(t, "link bold");
    free(t);
    const char *links = "See <a href=\"https://cognus.example/form?a=1&amp;b=2\">the form</a>, "
                        "<a href='https://cognus.example/x'>https://cognus.example/x</a> and "
                        "<a href=\"mailto:help@cognus.example\">help@cognus.example</a> or "
                        "<a href=\"javascript:evil()\">this</a>.";
    t = ch_mail_html_to_text(links, strlen(links), 1000, &n);
    assert_string_equal(t, "See the form <https://cognus.example/form?a=1&b=2>, "
                           "https://cognus.example/x and help@cognus.example or this.");
    free(t);
    t = ch_mail_html_to_text("<pre>  two\n  lines</pre>after", 29, 1000, &n);
    assert_string_equal(t, "  two\n  lines\n\nafter");
    free(t);
    /* The limit cuts at a character, never inside one. */
    t = ch_mail_html_to_text("\xc5\xb5\xc5\xb5\xc5\xb5", 6, 5, &n);
    assert_string_equal(t, "\xc5\xb5\xc5\xb5");
    free(t);
    t = ch_mail_html_to_text("", 0, 10, &n);
    assert_string_equal(t, "");
    free(t);
}

static const ch_address service = {"Cognus Enquiries", "enquiries@cognus.example"};

/* A reply as an officer sends it: a hostile name, a Welsh subject, a PDF
 * with NUL bytes, a thread to join. */
static ch_outgoing reply_fixture(ch_address *to, ch_address *cc, ch_part *parts,
                                 const char *const *refs)
{
    to[0] = (ch_address){"Mallory <m@evil.example>, Head", "head@school.example"};
    cc[0] = (ch_address){"Evil\r\nBcc: spy@evil.example", "cc@school.example"};
    parts[0] = (ch_part){"Adroddiad \xc5\xb5yr.pdf", "application/pdf",
                         (const unsigned char *)"%PDF-1.4\0\1\2\n.\n", 15, false};
    parts[1] =
        (ch_part){"map.png", "image/png", (const unsigned char *)"\x89PNG\r\n\x1a\n", 8, true};
    return (ch_outgoing){.from = service,
                         .to = to,
                         .nto = 1,
                         .cc = cc,
                         .ncc = 1,
                         .subject = "Re: [CG-2026-0042] Ymateb i\u2019ch cais \u2014 \u0175yr "
                                    "\u0177d, a subject long enough to be folded by the writer",
                         .text = "Bore da,\n.\nA line alone with a dot, and one that is long "
                                 "enough to need a soft break in quoted-printable: \u0175.\n",
                         .in_reply_to = refs[1],
                         .references = refs,
                         .nreferences = 2,
                         .parts = parts,
                         .nparts = 2,
                         .id_domain = "cognus.example",
                         .auto_submitted = CH_AUTO_REPLIED,
                         .date = 1796139001};
}

static void a_built_reply_reads_back_as_meant(void **state)
{
    (void)state;
    ch_address to[1], cc[1];
    ch_part parts[2];
    const char *refs[] = {"20261124100200.AB12CD34@cognus.example", "CAF9xYz@mail.parent.example"};
    ch_outgoing o = reply_fixture(to, cc, parts, refs);
    char *raw = NULL, id[256];
    size_t len = 0;
    ch_error err = {0};
    assert_int_equal(ch_message_build(&o, &raw, &len, id, &err), CH_OK);
    assert_int_equal(strlen(id), 32 + strlen("@cognus.example"));
    assert_string_equal(id + 32, "@cognus.example");
    /* Lines end CRLF, and the hostile name never started a header. */
    for (size_t i = 0; i < len; i++)
        if (raw[i] == '\n')
            assert_true(i > 0 && raw[i - 1] == '\r');
    assert_null(strstr(raw, "\r\nBcc:"));
    assert_non_null(strstr(raw, "\r\nMIME-Version: 1.0\r\n"));
    assert_non_null(strstr(raw, "\r\nAuto-Submitted: auto-replied\r\n"));
    assert_non_null(strstr(raw, "text/plain; charset=utf-8"));
    assert_non_null(strstr(raw, "Content-Transfer-Encoding: quoted-printable"));

    ch_arena arena = {0};
    ch_message m;
    assert_int_equal(ch_message_parse(raw, len, &arena, &m, &err), CH_OK);
    assert_string_equal(m.from.addr, "enquiries@cognus.example");
    assert_string_equal(m.from.name, "Cognus Enquiries");
    assert_int_equal(m.nto, 1);
    assert_string_equal(m.to[0].addr, "head@school.example");
    assert_string_equal(m.to[0].name, "Mallory <m@evil.example>, Head");
    assert_int_equal(m.ncc, 1);
    assert_string_equal(m.cc[0].addr, "cc@school.example");
    assert_string_equal(m.subject, o.subject);
    assert_string_equal(m.text, o.text);
    assert_string_equal(m.message_id, id);
    assert_string_equal(m.in_reply_to, refs[1]);
    assert_int_equal(m.nreferences, 2);
    assert_string_equal(m.references[0], refs[0]);
    assert_string_equal(m.references[1], refs[1]);
    assert_int_equal(m.date, 1796139001);
    assert_int_equal(m.automatic, CH_AUTO_SUBMITTED);
    assert_false(m.malformed);
    assert_int_equal(m.nparts, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(m.parts[i].filename, parts[i].filename);
        assert_string_equal(m.parts[i].content_type, parts[i].content_type);
        assert_int_equal(m.parts[i].len, parts[i].len);
        assert_memory_equal(m.parts[i].data, parts[i].data, parts[i].len);
        assert_int_equal(m.parts[i].inline_, parts[i].inline_);
    }
    ch_arena_free(&arena);

    /* Each message gets its own id. */
    char *again = NULL, id2[256];
    assert_int_equal(ch_message_build(&o, &again, &len, id2, &err), CH_OK);
    assert_string_not_equal(id, id2);
    free(again);
    free(raw);
}

static void any_name_reads_back_as_written(void **state)
{
    (void)state;
    const char *names[] = {
        "O'Brien, Si\xc3\xa2n",
        "\"Quoted\" Name",
        "back\\slash",
        "(not a comment) name",
        "a@b.example",
        "Two; Three:",
        "\xd8\xa3\xd8\xad\xd9\x85\xd8\xaf",
        "<x@evil.example>",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
        ch_address to = {names[i], "person@parent.example"};
        ch_outgoing o = {
            .from = {names[i], "desk@cognus.example"}, .to = &to, .nto = 1, .subject = names[i]};
        char *raw = NULL, id[256];
        size_t len = 0;
        ch_error err = {0};
        assert_int_equal(ch_message_build(&o, &raw, &len, id, &err), CH_OK);
        ch_arena arena = {0};
        ch_message m;
        assert_int_equal(ch_message_parse(raw, len, &arena, &m, &err), CH_OK);
        if (m.nto != 1 || !m.to[0].name || strcmp(m.to[0].name, names[i]) != 0 ||
            strcmp(m.from.name ? m.from.name : "", names[i]) != 0 ||
            strcmp(m.subject, names[i]) != 0)
            fail_msg("'%s' came back as to '%s' (%zu), from '%s', subject '%s'\n%s", names[i],
                     m.nto ? or_none(m.to[0].name) : "-", m.nto, or_none(m.from.name), m.subject,
                     raw);
        assert_string_equal(m.to[0].addr, "person@parent.example");
        ch_arena_free(&arena);
        free(raw);
    }
}

static void a_plain_message_has_no_multipart(void **state)
{
    (void)state;
    ch_address to = {NULL, "parent@parent.example"};
    ch_outgoing o = {.from = {NULL, "hours@beacon.example"}, .to = &to, .nto = 1};
    char *raw = NULL, id[256];
    size_t len = 0;
    ch_error err = {0};
    assert_int_equal(ch_message_build(&o, &raw, &len, id, &err), CH_OK);
    assert_null(strstr(raw, "multipart"));
    assert_null(strstr(raw, "Auto-Submitted"));
    assert_null(strstr(raw, "In-Reply-To"));
    assert_string_equal(id + 32, "@beacon.example"); /* the sender's domain by default */
    ch_arena arena = {0};
    ch_message m;
    assert_int_equal(ch_message_parse(raw, len, &arena, &m, &err), CH_OK);
    assert_string_equal(m.subject, "");
    assert_null(m.to[0].name);
    assert_true(m.date > 0);
    ch_arena_free(&arena);
    free(raw);
}

static void what_cannot_be_sent_is_refused(void **state)
{
    (void)state;
    ch_address to[1], cc[1];
    ch_part parts[2];
    const char *refs[] = {"a@cognus.example", "b@cognus.example"};
    const char *bad_refs[] = {"a@cognus.example", "two words@x.example"};
    char *raw = (char *)"untouched", id[256];
    size_t len = 0;
    ch_error err = {0};
    ch_outgoing o = reply_fixture(to, cc, parts, refs);
    to[0].addr = "m@evil.example>, x@evil.example";
    assert_int_equal(ch_message_build(&o, &raw, &len, id, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "is not an address mail can go to"));
    assert_null(raw);
    assert_string_equal(id, "");
    o = reply_fixture(to, cc, parts, refs);
    cc[0].addr = "cc@school.example\r\nBcc: spy@evil.example";
    assert_int_equal(ch_message_build(&o, &raw, &len, id, &err), CH_E_INVALID);
    o = reply_fixture(to, cc, parts, refs);
    o.from.addr = "";
    assert_int_equal(ch_message_build(&o, &raw, &len, id, &err), CH_E_INVALID);
    o = reply_fixture(to, cc, parts, refs);
    o.nto = 0;
    assert_int_equal(ch_message_build(&o, &raw, &len, id, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "at least one To"));
    o = reply_fixture(to, cc, parts, bad_refs);
    assert_int_equal(ch_message_build(&o, &raw, &len, id, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "two words@x.example"));
    o = reply_fixture(to, cc, parts, refs);
    o.id_domain = "cognus.example>\r\nX: y";
    assert_int_equal(ch_message_build(&o, &raw, &len, id, &err), CH_E_INVALID);
    o = reply_fixture(to, cc, parts, refs);
    parts[1].content_type = "image/png\r\nX-Evil: 1";
    assert_int_equal(ch_message_build(&o, &raw, &len, id, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "attachment 2"));
    o = reply_fixture(to, cc, parts, refs);
    parts[0].filename = "";
    assert_int_equal(ch_message_build(&o, &raw, &len, id, &err), CH_E_INVALID);
    o = reply_fixture(to, cc, parts, refs);
    o.subject = "\xff\xfe not UTF-8";
    assert_int_equal(ch_message_build(&o, &raw, &len, id, &err), CH_E_INVALID);
    assert_null(raw);
}

/* The test SMTP server (tests/api/smtp_sink.py) on a free port. */
static pid_t start_sink(const char *folder, int *port, int *out)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execl("/usr/bin/python3", "python3", CHARTER_SOURCE_DIR "/tests/api/smtp_sink.py", folder,
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    /* Up to the line's end, and the pipe stays open while the sink runs, so
     * its writes never meet a closed pipe. */
    char buf[16] = "";
    size_t n = 0;
    while (n + 1 < sizeof(buf) && (n == 0 || buf[n - 1] != '\n')) {
        ssize_t got = read(fds[0], buf + n, sizeof(buf) - 1 - n);
        assert_true(got > 0);
        n += (size_t)got;
    }
    buf[n] = '\0';
    *out = fds[0];
    *port = (int)strtol(buf, NULL, 10);
    assert_true(*port > 0);
    return pid;
}

typedef struct sink {
    char folder[32];
    pid_t pid;
    int port, out;
} sink;

static sink the_sink = {.pid = -1, .out = -1};

static int sink_up(void **state)
{
    snprintf(the_sink.folder, sizeof(the_sink.folder), "/tmp/charter-mail-XXXXXX");
    if (!mkdtemp(the_sink.folder))
        return -1;
    the_sink.pid = start_sink(the_sink.folder, &the_sink.port, &the_sink.out);
    *state = &the_sink;
    return 0;
}

/* Runs whether or not the test passed, so no server is left behind. */
static int sink_down(void **state)
{
    sink *k = *state;
    if (k->pid > 0) {
        kill(k->pid, SIGTERM);
        waitpid(k->pid, NULL, 0);
    }
    if (k->out >= 0)
        close(k->out);
    DIR *dir = opendir(k->folder);
    struct dirent *e;
    while (dir && (e = readdir(dir))) {
        char path[300];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", k->folder, e->d_name);
        unlink(path);
    }
    if (dir)
        closedir(dir);
    rmdir(k->folder);
    return 0;
}

static void a_built_message_goes_out_byte_for_byte(void **state)
{
    sink *k = *state;
    char url[64], path[128];
    const char *folder = k->folder;
    snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", k->port);

    ch_address to[1], cc[1];
    ch_part parts[2];
    const char *refs[] = {"a@cognus.example", "b@cognus.example"};
    ch_outgoing o = reply_fixture(to, cc, parts, refs);
    char *raw = NULL, id[256];
    size_t len = 0;
    ch_error err = {0};
    assert_int_equal(ch_message_build(&o, &raw, &len, id, &err), CH_OK);
    const char *rcpts[] = {"head@school.example", "cc@school.example"};
    int rc =
        ch_mail_send_raw(url, "enquiries@cognus.example", rcpts, 2, raw, len, false, NULL, &err);
    if (rc)
        print_error("%s\n", err.msg);
    assert_int_equal(rc, CH_OK);
    snprintf(path, sizeof(path), "%s/001.eml", folder);
    size_t got_len = 0;
    char *got = slurp(path, &got_len);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, raw, len); /* the lone "." line was stuffed and unstuffed */
    free(got);

    /* A relay without TLS gets nothing when the mail must go encrypted. */
    assert_int_equal(
        ch_mail_send_raw(url, "enquiries@cognus.example", rcpts, 1, raw, len, true, NULL, &err),
        CH_E_IO);
    assert_non_null(strstr(err.msg, "TLS"));
    snprintf(path, sizeof(path), "%s/002.eml", folder);
    assert_int_equal(access(path, F_OK), -1);

    /* Bare line ends go out as CRLF, never as a bare LF a relay could
     * read as the end of the data. */
    const char bare[] = "From: a@cognus.example\nTo: b@school.example\n\none\r\ntwo\n.\rthree";
    assert_int_equal(ch_mail_send_raw(url, "enquiries@cognus.example", rcpts, 1, bare,
                                      sizeof(bare) - 1, false, NULL, &err),
                     CH_OK);
    snprintf(path, sizeof(path), "%s/002.eml", folder);
    got = slurp(path, &got_len);
    assert_string_equal(got, "From: a@cognus.example\r\nTo: b@school.example\r\n\r\none\r\n"
                             "two\r\n.\r\nthree\r\n");
    free(got);
    snprintf(path, sizeof(path), "%s/003.eml", folder);

    /* The older single-recipient call goes the same way. */
    ch_mail_attachment files[] = {{"statement.pdf", "application/pdf", "%PDF-1.4\n", 9}};
    ch_mail mail = {"hours@beacon.example",
                    "bm@elm.example",
                    "Ms Elm",
                    "St Anne\u2019s: statement",
                    "Dear Ms Elm,\n",
                    files,
                    1};
    assert_int_equal(ch_mail_send(url, &mail, &err), CH_OK);
    got = slurp(path, &got_len);
    assert_non_null(strstr(got, "To: Ms Elm <bm@elm.example>\r\n"));
    assert_non_null(strstr(got, "filename=statement.pdf"));
    free(got);

    /* Nobody listening: the network's reason, quickly. */
    assert_int_equal(ch_mail_send_raw("smtp://127.0.0.1:1", "enquiries@cognus.example", rcpts, 1,
                                      raw, len, false, NULL, &err),
                     CH_E_IO);
    assert_non_null(strstr(err.msg, "did not take the message"));
    assert_int_equal(ch_mail_send_raw(url, "enquiries@cognus.example", (const char *[]){"a b@c"}, 1,
                                      raw, len, false, NULL, &err),
                     CH_E_INVALID);
    assert_int_equal(ch_mail_send_raw(url, "bad", rcpts, 1, raw, len, false, NULL, &err),
                     CH_E_INVALID);
    assert_int_equal(
        ch_mail_send_raw(url, "enquiries@cognus.example", rcpts, 0, raw, len, false, NULL, &err),
        CH_E_INVALID);
    free(raw);
}

/* Text cut to fit (a subject, a name, a reason) ends on a whole character. */
static void a_cut_keeps_whole_characters(void **state)
{
    (void)state;
    assert_int_equal(ch_utf8_prefix("Llŷr", 3), 2); /* the 2-byte ŷ would need 4 */
    assert_int_equal(ch_utf8_prefix("Llŷr", 4), 4);
    assert_int_equal(ch_utf8_prefix("Llŷr", 100), 5);
    assert_int_equal(ch_utf8_prefix("\xe2\x82\xac", 2), 0); /* inside a euro sign */
    assert_int_equal(ch_utf8_prefix(NULL, 10), 0);
}

static void a_line_breaks_between_words(void **state)
{
    (void)state;
    /* "Behaviour review" fits in 16; at 20 the break falls before "write". */
    assert_int_equal(ch_text_line("Behaviour review write-up", 20), 16);
    assert_int_equal(ch_text_line("Behaviour review write-up", 16), 16);
    assert_int_equal(ch_text_line("Behaviour review write-up", 100), 25);
    /* One word longer than the line is cut, on a whole character. */
    assert_int_equal(ch_text_line("Llŷrrrr", 3), 2);
    assert_int_equal(ch_text_line("a   b", 3), 1);
    assert_int_equal(ch_text_line(NULL, 10), 0);
}

int main(void)
{
    ch_message_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(corpus_meets_every_expectation),
        cmocka_unit_test(a_cut_keeps_whole_characters),
        cmocka_unit_test(a_line_breaks_between_words),
        cmocka_unit_test(attachments_keep_their_bytes),
        cmocka_unit_test(what_is_not_a_message_is_refused),
        cmocka_unit_test(a_name_holding_an_address_stays_a_name),
        cmocka_unit_test(the_text_is_what_a_person_wrote),
        cmocka_unit_test(names_are_decoded_however_they_were_written),
        cmocka_unit_test(html_reads_as_text),
        cmocka_unit_test(a_built_reply_reads_back_as_meant),
        cmocka_unit_test(any_name_reads_back_as_written),
        cmocka_unit_test(a_plain_message_has_no_multipart),
        cmocka_unit_test(what_cannot_be_sent_is_refused),
        cmocka_unit_test_setup_teardown(a_built_message_goes_out_byte_for_byte, sink_up, sink_down),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    ch_message_shutdown();
    return rc;
}
