/* Writing one outbound message with GMime: the only place Charter makes
 * mail headers, so quoting and encoding are GMime's and a display name can
 * never turn into a second address. Everything is checked first; a
 * message that could not go out as meant is refused with a sentence. */
#include "mail/message.h"

#include <gmime/gmime.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/text.h"
#include "mail/mail.h"

#define ID_MAX 250
#define NAME_MAX_BYTES 300

static bool utf8_ok(const char *s)
{
    size_t n = strlen(s);
    return ch_utf8_invalid_at(s, n) == n;
}

/* A message id we may write between angle brackets. */
static bool id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > ID_MAX || !strchr(id, '@'))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\')
            return false;
    }
    return true;
}

static bool domain_ok(const char *d)
{
    size_t n = d ? strlen(d) : 0;
    if (n == 0 || n > 200 || d[0] == '.' || d[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!g_ascii_isalnum(d[i]) && d[i] != '.' && d[i] != '-')
            return false;
    return true;
}

/* A one-line copy of a name or subject: line breaks and controls become
 * spaces, so nothing can start a header of its own. g_malloc'd. */
static char *one_line(const char *s)
{
    char *copy = g_strdup(s ? s : "");
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p < ' ' || *p == 0x7f)
            *p = ' ';
    return g_strstrip(copy);
}

static int check_address(const ch_address *a, const char *role, ch_error *err)
{
    if (!a->addr || !ch_mail_address_ok(a->addr))
        return ch_error_set(err, CH_E_INVALID,
                            "'%.80s' is not an address mail can go to (the %s address); "
                            "correct it and send again",
                            a->addr ? a->addr : "", role);
    if (a->name && (!utf8_ok(a->name) || strlen(a->name) > NAME_MAX_BYTES))
        return ch_error_set(err, CH_E_INVALID,
                            "the name for %.80s is not UTF-8 text of at most %d bytes", a->addr,
                            NAME_MAX_BYTES);
    return CH_OK;
}

static int check(const ch_outgoing *m, ch_error *err)
{
    int rc;
    if ((rc = check_address(&m->from, "sender", err)))
        return rc;
    if (m->nto == 0)
        return ch_error_set(err, CH_E_INVALID, "a message needs at least one To address");
    for (size_t i = 0; i < m->nto; i++)
        if ((rc = check_address(&m->to[i], "To", err)))
            return rc;
    for (size_t i = 0; i < m->ncc; i++)
        if ((rc = check_address(&m->cc[i], "Cc", err)))
            return rc;
    if (m->subject && !utf8_ok(m->subject))
        return ch_error_set(err, CH_E_INVALID, "the subject is not UTF-8 text");
    if (m->text && !utf8_ok(m->text))
        return ch_error_set(err, CH_E_INVALID, "the message text is not UTF-8 text");
    if (m->in_reply_to && !id_ok(m->in_reply_to))
        return ch_error_set(err, CH_E_INVALID, "'%.80s' is not a message id a reply can refer to",
                            m->in_reply_to);
    for (size_t i = 0; i < m->nreferences; i++)
        if (!id_ok(m->references[i]))
            return ch_error_set(err, CH_E_INVALID,
                                "'%.80s' is not a message id a reply can refer to",
                                m->references[i] ? m->references[i] : "");
    for (size_t i = 0; i < m->nparts; i++) {
        const ch_part *p = &m->parts[i];
        const char *slash = p->content_type ? strchr(p->content_type, '/') : NULL;
        bool type_ok = slash && slash != p->content_type && slash[1] &&
                       strlen(p->content_type) < 128 && !strchr(slash + 1, '/');
        for (const char *c = p->content_type; type_ok && *c; c++)
            type_ok = g_ascii_isalnum(*c) || strchr("/.+-_", *c);
        if (!type_ok)
            return ch_error_set(err, CH_E_INVALID,
                                "attachment %zu has no usable type (like application/pdf)", i + 1);
        if (!p->filename || !*p->filename || !utf8_ok(p->filename) ||
            strlen(p->filename) > NAME_MAX_BYTES)
            return ch_error_set(err, CH_E_INVALID,
                                "attachment %zu needs a file name of UTF-8 text, at most %d "
                                "bytes",
                                i + 1, NAME_MAX_BYTES);
        if (p->len && !p->data)
            return ch_error_set(err, CH_E_INVALID, "attachment %zu has no content", i + 1);
    }
    const char *domain = m->id_domain;
    if (!domain)
        domain = strrchr(m->from.addr, '@') + 1;
    if (!domain_ok(domain))
        return ch_error_set(err, CH_E_INVALID,
                            "'%.80s' cannot end a Message-ID: use the service's mail domain",
                            domain);
    return CH_OK;
}

static void add_mailboxes(GMimeMessage *msg, GMimeAddressType type, const ch_address *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *name = one_line(a[i].name);
        g_mime_message_add_mailbox(msg, type, *name ? name : NULL, a[i].addr);
        g_free(name);
    }
}

static GMimeObject *attachment(const ch_part *p)
{
    const char *slash = strchr(p->content_type, '/');
    char *type = g_strndup(p->content_type, (gsize)(slash - p->content_type));
    GMimePart *part = g_mime_part_new_with_type(type, slash + 1);
    g_free(type);
    GMimeStream *stream =
        g_mime_stream_mem_new_with_buffer(p->data ? (const char *)p->data : "", p->len);
    GMimeDataWrapper *content =
        g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
    g_mime_part_set_content(part, content);
    g_object_unref(content);
    g_object_unref(stream);
    char *name = one_line(p->filename);
    g_mime_object_set_disposition(GMIME_OBJECT(part), p->inline_ ? "inline" : "attachment");
    g_mime_part_set_filename(part, name);
    g_free(name);
    g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
    return GMIME_OBJECT(part);
}

int ch_message_build(const ch_outgoing *m, char **raw, size_t *len, char message_id[256],
                     ch_error *err)
{
    int rc = CH_OK;
    GMimeMessage *msg = NULL;
    GMimeFormatOptions *format = NULL;
    GMimeStream *out = NULL;
    GString *refs = NULL;
    *raw = NULL;
    *len = 0;
    message_id[0] = '\0';
    if ((rc = check(m, err)))
        goto out;
    if (sodium_init() < 0) {
        rc = ch_error_set(err, CH_E_IO, "no random numbers for a Message-ID");
        goto out;
    }
    msg = g_mime_message_new(TRUE);
    GMimeObject *top = GMIME_OBJECT(msg);
    char *from_name = one_line(m->from.name);
    g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, *from_name ? from_name : NULL,
                               m->from.addr);
    g_free(from_name);
    add_mailboxes(msg, GMIME_ADDRESS_TYPE_TO, m->to, m->nto);
    add_mailboxes(msg, GMIME_ADDRESS_TYPE_CC, m->cc, m->ncc);
    char *subject = one_line(m->subject);
    g_mime_message_set_subject(msg, subject, "utf-8");
    g_free(subject);
    GDateTime *date = g_date_time_new_from_unix_utc(m->date ? m->date : (ch_time)time(NULL));
    g_mime_message_set_date(msg, date);
    g_date_time_unref(date);

    unsigned char random[16];
    char hex[sizeof(random) * 2 + 1];
    randombytes_buf(random, sizeof(random));
    sodium_bin2hex(hex, sizeof(hex), random, sizeof(random));
    const char *domain = m->id_domain ? m->id_domain : strrchr(m->from.addr, '@') + 1;
    snprintf(message_id, 256, "%s@%s", hex, domain);
    g_mime_message_set_message_id(msg, message_id);

    if (m->in_reply_to) {
        char *v = g_strdup_printf("<%s>", m->in_reply_to);
        g_mime_object_set_header(top, "In-Reply-To", v, NULL);
        g_free(v);
    }
    if (m->nreferences) {
        refs = g_string_new(NULL);
        for (size_t i = 0; i < m->nreferences; i++)
            g_string_append_printf(refs, "%s<%s>", i ? " " : "", m->references[i]);
        g_mime_object_set_header(top, "References", refs->str, NULL);
    }
    if (m->auto_submitted != CH_SUBMITTED_BY_PERSON)
        g_mime_object_set_header(
            top, "Auto-Submitted",
            m->auto_submitted == CH_AUTO_GENERATED ? "auto-generated" : "auto-replied", NULL);
    g_mime_object_set_header(top, "MIME-Version", "1.0", NULL);

    GMimeTextPart *body = g_mime_text_part_new_with_subtype("plain");
    g_mime_text_part_set_text(body, m->text ? m->text : "");
    g_mime_text_part_set_charset(body, "utf-8");
    g_mime_part_set_content_encoding(GMIME_PART(body), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    if (m->nparts == 0) {
        g_mime_message_set_mime_part(msg, GMIME_OBJECT(body));
    } else {
        GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");
        g_mime_multipart_add(mixed, GMIME_OBJECT(body));
        for (size_t i = 0; i < m->nparts; i++) {
            GMimeObject *part = attachment(&m->parts[i]);
            g_mime_multipart_add(mixed, part);
            g_object_unref(part);
        }
        g_mime_message_set_mime_part(msg, GMIME_OBJECT(mixed));
        g_object_unref(mixed);
    }
    g_object_unref(body);

    /* CRLF throughout: the form SMTP carries and IMAP stores. */
    format = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(format, GMIME_NEWLINE_FORMAT_DOS);
    out = g_mime_stream_mem_new();
    if (g_mime_object_write_to_stream(top, format, out) < 0) {
        rc = ch_error_set(err, CH_E_IO, "the message could not be written");
        goto out;
    }
    GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
    if (!(*raw = malloc(bytes->len + 1))) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    memcpy(*raw, bytes->data, bytes->len);
    (*raw)[bytes->len] = '\0';
    *len = bytes->len;
out:
    if (rc)
        message_id[0] = '\0';
    if (refs)
        g_string_free(refs, TRUE);
    if (out)
        g_object_unref(out);
    if (format)
        g_mime_format_options_free(format);
    if (msg)
        g_object_unref(msg);
    return rc;
}
