/* Reading one inbound message with GMime into a ch_message: the headers a
 * desk needs decoded to UTF-8, the text a person wrote, the attachments, and
 * whether a machine sent it (an auto-reply, a list, a bounce). Nothing here
 * refuses a message a mail server passed on; what GMime cannot structure is
 * kept as text and marked malformed. Every string is copied into the
 * caller's arena, so no GMime object outlives the call. */
#include "mail/message.h"

#include <gmime/gmime.h>
#include <stdint.h>
#include <string.h>

#include "core/text.h"
#include "mail/html.h"

#define TEXT_MAX ((size_t)4 << 20) /* the text kept for a case: 4 MiB */
#define HEADER_MAX 998             /* a subject or name longer than a line is cut */
#define ID_MAX 250
#define REFERENCES_MAX 100
#define NAME_MAX_BYTES 200

void ch_message_init(void)
{
    g_mime_init(); /* GMime counts its starts, so ch_mail_init may call this too */
}

void ch_message_shutdown(void)
{
    g_mime_shutdown();
}

typedef struct walk {
    ch_arena *arena;
    GMimeParserOptions *opts;
    ch_message *out;
    GString *plain;          /* NULL until a text/plain body is found */
    char *html;              /* the first text/html body, UTF-8, g_malloc'd */
    const char *envelope_id; /* Original-Envelope-Id, used when no copy names the id */
    char *declared;          /* the charset raw 8-bit headers were read in, g_malloc'd */
    size_t ncap;
    bool quiet_plain; /* in a later alternative to text already read */
    bool report;      /* inside multipart/report; report-type=delivery-status */
    bool nomem;
} walk;

typedef struct warnings {
    bool structure; /* GMime had to guess at the MIME structure */
    bool eightbit;  /* a header held raw 8-bit bytes */
} warnings;

static void on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer data)
{
    warnings *w = data;
    (void)offset;
    (void)item;
    switch (code) {
    case GMIME_WARN_UNENCODED_8BIT_HEADER:
        w->eightbit = true;
        break;
    case GMIME_WARN_MALFORMED_MULTIPART:
    case GMIME_WARN_TRUNCATED_MESSAGE:
    case GMIME_WARN_MALFORMED_MESSAGE:
    case GMIME_CRIT_INVALID_HEADER_NAME:
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
    case GMIME_CRIT_NESTING_OVERFLOW:
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
        w->structure = true;
        break;
    default:
        break;
    }
}

static GMimeParserOptions *options_for(const char *declared, warnings *w)
{
    GMimeParserOptions *o = g_mime_parser_options_new();
    const char *fallback[4] = {"utf-8", NULL, NULL, NULL};
    size_t n = 1;
    if (declared && g_ascii_strcasecmp(declared, "utf-8") != 0 &&
        g_ascii_strcasecmp(declared, "us-ascii") != 0 && strlen(declared) < 40)
        fallback[n++] = declared;
    fallback[n] = "windows-1252";
    g_mime_parser_options_set_fallback_charsets(o, fallback);
    g_mime_parser_options_set_rfc2047_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_warning_callback(o, on_warning, w);
    return o;
}

/* A copy of n bytes without NULs, which would end the text early. */
static char *without_nul(const char *s, size_t n, size_t *out)
{
    char *copy = g_malloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i])
            copy[k++] = s[i];
    copy[k] = '\0';
    *out = k;
    return copy;
}

/* A copy of s in the arena, valid UTF-8 without NULs; with one_line, line
 * breaks and other controls become spaces, runs of spaces one, and the ends
 * are trimmed. At most max bytes, cut at a character boundary. */
static const char *arena_text(walk *wk, const char *s, size_t n, bool one_line, size_t max)
{
    if (!s)
        s = "";
    char *no_nul = without_nul(s, n, &n);
    char *valid = g_utf8_make_valid(no_nul, (gssize)n);
    g_free(no_nul);
    size_t vn = strlen(valid), o = 0;
    char *buf = ch_arena_alloc(wk->arena, vn + 1);
    if (!buf) {
        g_free(valid);
        wk->nomem = true;
        return "";
    }
    bool space = false;
    for (size_t i = 0; i < vn; i++) {
        unsigned char c = (unsigned char)valid[i];
        if (one_line && (c < ' ' || c == 0x7f)) {
            space = o > 0;
            continue;
        }
        if (one_line && c == ' ') {
            space = o > 0;
            continue;
        }
        if (!one_line && (c < ' ' && c != '\n' && c != '\t'))
            continue;
        if (space) {
            buf[o++] = ' ';
            space = false;
        }
        buf[o++] = (char)c;
    }
    g_free(valid);
    if (o > max) {
        o = max;
        while (o && ((unsigned char)buf[o] & 0xc0) == 0x80)
            o--;
    }
    buf[o] = '\0';
    return buf;
}

/* Bytes in charset (or unlabelled) as UTF-8, g_malloc'd: the declared
 * charset when it reads cleanly, else GMime's guess from its fallbacks. */

/* Whether s holds a valid multi-byte UTF-8 sequence, the mark of text
 * written in UTF-8 (Latin-1 text almost never forms one by chance). */
static bool utf8_sequences(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c >= 0xc2 && c <= 0xdf   ? 2
                     : c >= 0xe0 && c <= 0xef ? 3
                     : c >= 0xf0 && c <= 0xf4 ? 4
                                              : 0;
        if (len && i + len <= n && g_utf8_validate(s + i, (gssize)len, NULL))
            return true;
    }
    return false;
}

static char *to_utf8(walk *wk, const char *bytes, size_t n, const char *charset)
{
    size_t k = 0;
    if (charset && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
        g_ascii_strcasecmp(charset, "utf8") != 0 && g_ascii_strcasecmp(charset, "us-ascii") != 0) {
        gsize written = 0;
        GError *gerr = NULL;
        char *converted = g_convert(bytes, (gssize)n, "UTF-8", g_mime_charset_iconv_name(charset),
                                    NULL, &written, &gerr);
        if (converted) {
            char *clean = without_nul(converted, written, &k);
            g_free(converted);
            return clean;
        }
        g_clear_error(&gerr);
    }
    char *clean = without_nul(bytes, n, &k);
    if (g_utf8_validate(clean, (gssize)k, NULL))
        return clean;
    if (utf8_sequences(clean, k)) {
        /* Mostly UTF-8 with a stray byte: guessing another charset for the
         * whole text would garble every character that was right. */
        char *valid = g_utf8_make_valid(clean, (gssize)k);
        g_free(clean);
        return valid;
    }
    char *guessed = g_mime_utils_decode_8bit(wk->opts, clean, k);
    g_free(clean);
    return guessed;
}

/* CRLF and lone CR as LF, in place. */
static void unix_lines(GString *s)
{
    size_t o = 0;
    for (size_t i = 0; i < s->len; i++) {
        char c = s->str[i];
        if (c == '\r') {
            if (i + 1 < s->len && s->str[i + 1] == '\n')
                continue;
            c = '\n';
        }
        s->str[o++] = c;
    }
    g_string_truncate(s, o);
}

/* RFC 3676 format=flowed: a line ending in a space continues on the next
 * line of the same quote depth; a leading space was only stuffing. */
static GString *unflow(const char *text, bool delsp)
{
    GString *out = g_string_new(NULL);
    int open_depth = -1; /* quote depth of a paragraph still being joined */
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        int depth = 0;
        size_t i = 0;
        while (i < n && p[i] == '>') {
            depth++;
            i++;
        }
        if (i < n && p[i] == ' ')
            i++;
        const char *line = p + i;
        size_t ln = n - i;
        bool sig = ln == 3 && memcmp(line, "-- ", 3) == 0;
        bool flowed = !sig && ln > 0 && line[ln - 1] == ' ';
        if (open_depth >= 0 && open_depth != depth) {
            g_string_append_c(out, '\n');
            open_depth = -1;
        }
        if (open_depth < 0) {
            for (int d = 0; d < depth; d++)
                g_string_append_c(out, '>');
            if (depth)
                g_string_append_c(out, ' ');
        }
        g_string_append_len(out, line, (gssize)(flowed && delsp ? ln - 1 : ln));
        if (flowed) {
            open_depth = depth;
        } else {
            g_string_append_c(out, '\n');
            open_depth = -1;
        }
        p = eol ? eol + 1 : p + n;
    }
    if (open_depth >= 0)
        g_string_append_c(out, '\n');
    return out;
}

/* The decoded content of a leaf part (transfer encoding undone). */
static GByteArray *part_bytes(GMimePart *part)
{
    GByteArray *bytes = g_byte_array_new();
    GMimeDataWrapper *content = g_mime_part_get_content(part);
    if (content) {
        GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(bytes);
        g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
        g_mime_data_wrapper_write_to_stream(content, mem);
        g_object_unref(mem);
    }
    return bytes;
}

static char *object_bytes(GMimeObject *obj, size_t *len)
{
    GMimeStream *mem = g_mime_stream_mem_new();
    g_mime_object_write_to_stream(obj, NULL, mem);
    GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    char *copy = g_malloc(ba->len + 1);
    memcpy(copy, ba->data, ba->len);
    copy[ba->len] = '\0';
    *len = ba->len;
    g_object_unref(mem);
    return copy;
}

/* A message id kept only when it can be written back into a header. */
static const char *id_copy(walk *wk, const char *id)
{
    if (!id)
        return NULL;
    size_t n = strlen(id);
    if (n == 0 || n > ID_MAX)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\')
            return NULL;
    }
    char *copy = ch_arena_strndup(wk->arena, id, n);
    if (!copy)
        wk->nomem = true;
    return copy;
}

static bool addr_usable(const char *a)
{
    size_t n = a ? strlen(a) : 0;
    const char *at = a ? strrchr(a, '@') : NULL;
    if (n < 3 || n > 254 || !at || at == a || !at[1])
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)a[i] <= ' ' || a[i] == 0x7f || a[i] == '<' || a[i] == '>')
            return false;
    return true;
}

static bool address_copy(walk *wk, InternetAddressMailbox *mb, ch_address *out)
{
    const char *addr = internet_address_mailbox_get_addr(mb);
    if (!addr_usable(addr))
        return false;
    char *a = ch_arena_strdup(wk->arena, addr);
    if (!a) {
        wk->nomem = true;
        return false;
    }
    for (char *d = strrchr(a, '@'); *d; d++)
        *d = g_ascii_tolower(*d);
    const char *name = internet_address_get_name(INTERNET_ADDRESS(mb));
    out->addr = a;
    out->name = NULL;
    if (name && *name) {
        const char *n = arena_text(wk, name, strlen(name), true, HEADER_MAX);
        out->name = *n ? n : NULL;
    }
    return true;
}

/* Every mailbox in list, groups opened, into *items (arena). */
static void addresses(walk *wk, InternetAddressList *list, ch_address **items, size_t *n,
                      size_t *cap, int depth)
{
    int count = list ? internet_address_list_length(list) : 0;
    for (int i = 0; i < count && !wk->nomem; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            if (depth < 2)
                addresses(wk, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), items,
                          n, cap, depth + 1);
            continue;
        }
        if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
            continue;
        ch_address a;
        if (!address_copy(wk, INTERNET_ADDRESS_MAILBOX(ia), &a))
            continue;
        ch_address *room = ch_arena_room(wk->arena, *items, *n, cap, sizeof(*room));
        if (!room) {
            wk->nomem = true;
            return;
        }
        *items = room;
        room[(*n)++] = a;
    }
}

static bool first_address(walk *wk, InternetAddressList *list, ch_address *out)
{
    ch_address *items = NULL;
    size_t n = 0, cap = 0;
    addresses(wk, list, &items, &n, &cap, 0);
    if (n == 0)
        return false;
    *out = items[0];
    return true;
}

/* A made-up name for a part that had none: "attachment-3.png". */
static const char *made_up_name(walk *wk, const char *type)
{
    static const struct {
        const char *type, *ext;
    } exts[] = {
        {"image/png", ".png"},       {"image/jpeg", ".jpg"},     {"image/gif", ".gif"},
        {"application/pdf", ".pdf"}, {"message/rfc822", ".eml"}, {"text/plain", ".txt"},
        {"text/html", ".html"},      {"text/calendar", ".ics"},  {"image/webp", ".webp"},
    };
    if (strcmp(type, "message/delivery-status") == 0)
        return "delivery-status.txt";
    if (strcmp(type, "text/rfc822-headers") == 0)
        return "original-headers.txt";
    if (strcmp(type, "application/ms-tnef") == 0 || strcmp(type, "application/vnd.ms-tnef") == 0)
        return "winmail.dat";
    const char *ext = ".bin";
    for (size_t i = 0; i < sizeof(exts) / sizeof(*exts); i++)
        if (strcmp(exts[i].type, type) == 0)
            ext = exts[i].ext;
    char buf[64];
    snprintf(buf, sizeof(buf), "attachment-%zu%s", wk->out->nparts + 1, ext);
    const char *copy = ch_arena_strdup(wk->arena, buf);
    if (!copy)
        wk->nomem = true;
    return copy ? copy : "";
}

/* The last path segment of a sender's file name, one line, bounded. */
static const char *file_name(walk *wk, const char *name, const char *type)
{
    if (name) {
        const char *slash = strrchr(name, '/'), *back = strrchr(name, '\\');
        if (back > slash)
            slash = back;
        if (slash)
            name = slash + 1;
        const char *clean = arena_text(wk, name, strlen(name), true, NAME_MAX_BYTES);
        if (*clean && strcmp(clean, ".") != 0 && strcmp(clean, "..") != 0)
            return clean;
    }
    return made_up_name(wk, type);
}

static void add_part(walk *wk, const char *filename, const char *type, const void *data, size_t len,
                     bool inline_)
{
    ch_message *m = wk->out;
    ch_part *room = ch_arena_room(wk->arena, m->parts, m->nparts, &wk->ncap, sizeof(*room));
    unsigned char *copy = ch_arena_alloc(wk->arena, len + 1);
    const char *t = ch_arena_strdup(wk->arena, type);
    if (!room || !copy || !t) {
        wk->nomem = true;
        return;
    }
    if (len)
        memcpy(copy, data, len);
    m->parts = room;
    room[m->nparts++] = (ch_part){.filename = filename ? filename : made_up_name(wk, type),
                                  .content_type = t,
                                  .data = copy,
                                  .len = len,
                                  .inline_ = inline_};
}

/* The value of field name in a block of header-like lines (a
 * delivery-status or a copy of headers), unfolded, g_malloc'd, or NULL. */
static char *field_value(const char *s, size_t n, const char *name)
{
    size_t k = strlen(name), i = 0;
    while (i < n) {
        size_t eol = i;
        while (eol < n && s[eol] != '\n')
            eol++;
        if (eol - i > k && g_ascii_strncasecmp(s + i, name, k) == 0 && s[i + k] == ':') {
            GString *v = g_string_new_len(s + i + k + 1, (gssize)(eol - i - k - 1));
            /* continuation lines start with a space or a tab */
            while (eol + 1 < n && (s[eol + 1] == ' ' || s[eol + 1] == '\t')) {
                size_t next = eol + 1;
                while (next < n && s[next] != '\n')
                    next++;
                g_string_append_len(v, s + eol + 1, (gssize)(next - eol - 1));
                eol = next;
            }
            for (size_t j = 0; j < v->len; j++)
                if (v->str[j] == '\r' || v->str[j] == '\t')
                    v->str[j] = ' ';
            return g_strstrip(g_string_free(v, FALSE));
        }
        i = eol + 1;
    }
    return NULL;
}

/* "rfc822; a@b.example" -> "a@b.example"; "smtp; 550 ..." -> "550 ...". */
static const char *after_type(walk *wk, const char *v, bool address)
{
    if (!v)
        return NULL;
    const char *semi = strchr(v, ';');
    const char *s = semi ? semi + 1 : v;
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    if (address && n >= 2 && s[0] == '<' && s[n - 1] == '>') {
        s++;
        n -= 2;
    }
    if (n == 0)
        return NULL;
    return arena_text(wk, s, n, true, address ? 254 : HEADER_MAX);
}

static void delivery_status(walk *wk, const char *s, size_t n)
{
    ch_bounce *b = &wk->out->bounce;
    char *envid = field_value(s, n, "Original-Envelope-Id");
    char *rcpt = field_value(s, n, "Final-Recipient");
    if (!rcpt)
        rcpt = field_value(s, n, "Original-Recipient");
    char *status = field_value(s, n, "Status");
    char *diag = field_value(s, n, "Diagnostic-Code");
    if (envid && !wk->envelope_id) {
        char *id = g_mime_utils_decode_message_id(envid);
        wk->envelope_id = id_copy(wk, id ? id : envid);
        g_free(id);
    }
    if (!b->recipient)
        b->recipient = after_type(wk, rcpt, true);
    if (status && !b->status) {
        size_t k = 0;
        while (status[k] && (g_ascii_isdigit(status[k]) || status[k] == '.'))
            k++;
        if (k)
            b->status = arena_text(wk, status, k, true, 16);
    }
    if (!b->diagnostic)
        b->diagnostic = after_type(wk, diag, false);
    g_free(envid);
    g_free(rcpt);
    g_free(status);
    g_free(diag);
}

static char *lower_type(GMimeObject *obj)
{
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    char *type = ct ? g_mime_content_type_get_mime_type(ct) : g_strdup("application/octet-stream");
    char *lower = g_ascii_strdown(type, -1);
    g_free(type);
    if (strlen(lower) > 127)
        lower[127] = '\0';
    return lower;
}

static void leaf(walk *wk, GMimePart *part, bool in_related)
{
    GMimeObject *obj = GMIME_OBJECT(part);
    char *type = lower_type(obj);
    const char *disposition = g_mime_object_get_disposition(obj);
    const char *filename = g_mime_part_get_filename(part);
    bool attachment = disposition && g_ascii_strcasecmp(disposition, "attachment") == 0;
    bool is_inline = disposition && g_ascii_strcasecmp(disposition, "inline") == 0;
    GByteArray *bytes = part_bytes(part);
    const char *data = (const char *)bytes->data;
    size_t len = bytes->len;
    const char *charset = g_mime_object_get_content_type_parameter(obj, "charset");
    bool body = !attachment && !filename;

    if (wk->report && (strcmp(type, "message/delivery-status") == 0 ||
                       strcmp(type, "message/global-delivery-status") == 0)) {
        delivery_status(wk, data ? data : "", len);
        body = false;
    } else if (wk->report && strcmp(type, "text/rfc822-headers") == 0) {
        char *id = field_value(data ? data : "", len, "Message-ID");
        char *bare = id ? g_mime_utils_decode_message_id(id) : NULL;
        if (bare && !wk->out->bounce.original_id)
            wk->out->bounce.original_id = id_copy(wk, bare);
        g_free(bare);
        g_free(id);
        body = false;
    }
    if (body && strcmp(type, "text/plain") == 0) {
        char *utf8 = to_utf8(wk, data ? data : "", len, charset);
        GString *text = g_string_new(utf8);
        g_free(utf8);
        unix_lines(text);
        const char *format = g_mime_object_get_content_type_parameter(obj, "format");
        if (format && g_ascii_strcasecmp(format, "flowed") == 0) {
            const char *delsp = g_mime_object_get_content_type_parameter(obj, "delsp");
            GString *flat = unflow(text->str, delsp && g_ascii_strcasecmp(delsp, "yes") == 0);
            g_string_free(text, TRUE);
            text = flat;
        }
        if (!wk->plain) {
            wk->plain = text;
        } else if (wk->quiet_plain) {
            g_string_free(text, TRUE); /* another form of what was already read */
        } else {
            /* Apple Mail splits one text around an inline picture. */
            if (wk->plain->len && wk->plain->str[wk->plain->len - 1] != '\n')
                g_string_append_c(wk->plain, '\n');
            g_string_append_len(wk->plain, text->str, (gssize)text->len);
            g_string_free(text, TRUE);
        }
    } else if (body && strcmp(type, "text/html") == 0) {
        if (!wk->html)
            wk->html = to_utf8(wk, data ? data : "", len, charset);
    } else {
        const char *name = file_name(wk, filename, type);
        add_part(wk, name, type, data, len, is_inline || (in_related && !attachment));
    }
    g_byte_array_unref(bytes);
    g_free(type);
}

static void walk_object(walk *wk, GMimeObject *obj, bool in_related, int depth)
{
    if (!obj || depth > 20 || wk->nomem)
        return;
    if (GMIME_IS_MULTIPART_SIGNED(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        wk->out->signed_ = true;
        if (g_mime_multipart_get_count(mp) > 0)
            walk_object(wk, g_mime_multipart_get_part(mp, GMIME_MULTIPART_SIGNED_CONTENT),
                        in_related, depth + 1);
        return;
    }
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        GMimeContentType *ct = g_mime_object_get_content_type(obj);
        const char *sub = ct ? g_mime_content_type_get_media_subtype(ct) : "mixed";
        bool related = sub && g_ascii_strcasecmp(sub, "related") == 0;
        bool alternative = sub && g_ascii_strcasecmp(sub, "alternative") == 0;
        if (sub && g_ascii_strcasecmp(sub, "report") == 0) {
            const char *rt = g_mime_content_type_get_parameter(ct, "report-type");
            if (rt && g_ascii_strcasecmp(rt, "delivery-status") == 0) {
                wk->report = true;
                wk->out->bounce.is_bounce = true;
            }
        }
        int count = g_mime_multipart_get_count(mp);
        bool quiet = wk->quiet_plain;
        for (int i = 0; i < count && !wk->nomem; i++) {
            size_t before = wk->plain ? wk->plain->len + 1 : 0;
            walk_object(wk, g_mime_multipart_get_part(mp, i), in_related || related, depth + 1);
            /* Once one alternative gave text, the others are the same text. */
            if (alternative && (wk->plain ? wk->plain->len + 1 : 0) != before)
                wk->quiet_plain = true;
        }
        wk->quiet_plain = quiet;
        return;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        if (!inner)
            return;
        if (wk->report && !wk->out->bounce.original_id)
            wk->out->bounce.original_id = id_copy(wk, g_mime_message_get_message_id(inner));
        size_t len = 0;
        char *bytes = object_bytes(GMIME_OBJECT(inner), &len);
        const char *filename = g_mime_object_get_content_disposition_parameter(obj, "filename");
        if (!filename)
            filename = g_mime_object_get_content_type_parameter(obj, "name");
        const char *subject = g_mime_message_get_subject(inner);
        const char *name;
        if (filename || !subject || !*subject) {
            name = file_name(wk, filename, "message/rfc822");
        } else {
            char *eml = g_strdup_printf("%.150s.eml", subject);
            name = file_name(wk, eml, "message/rfc822");
            g_free(eml);
        }
        add_part(wk, name, "message/rfc822", bytes, len, false);
        g_free(bytes);
        return;
    }
    if (GMIME_IS_PART(obj))
        leaf(wk, GMIME_PART(obj), in_related);
}

static bool value_is(const char *v, const char *word)
{
    if (!v)
        return false;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(word);
    return g_ascii_strncasecmp(v, word, n) == 0 &&
           (!v[n] || v[n] == ';' || v[n] == ' ' || v[n] == '\t' || v[n] == '(');
}

static ch_auto_kind automatic(GMimeMessage *msg, const ch_message *m)
{
    GMimeObject *o = GMIME_OBJECT(msg);
    const char *as = g_mime_object_get_header(o, "Auto-Submitted");
    if ((as && !value_is(as, "no")) || g_mime_object_get_header(o, "X-Autoreply") ||
        g_mime_object_get_header(o, "X-Autorespond"))
        return CH_AUTO_SUBMITTED;
    const char *rp = g_mime_object_get_header(o, "Return-Path");
    if (rp) {
        while (*rp == ' ' || *rp == '\t')
            rp++;
        if (strncmp(rp, "<>", 2) == 0)
            return CH_AUTO_DAEMON;
    }
    const char *at = m->from.addr ? strrchr(m->from.addr, '@') : NULL;
    if (at) {
        size_t local = (size_t)(at - m->from.addr);
        if ((local == 13 && g_ascii_strncasecmp(m->from.addr, "mailer-daemon", 13) == 0) ||
            (local == 10 && g_ascii_strncasecmp(m->from.addr, "postmaster", 10) == 0))
            return CH_AUTO_DAEMON;
    }
    /* "From: MAILER-DAEMON" with no domain gives no address to look at. */
    const char *from = g_mime_object_get_header(o, "From");
    if (!*m->from.addr && from) {
        while (*from == ' ' || *from == '\t')
            from++;
        if (g_ascii_strncasecmp(from, "mailer-daemon", 13) == 0)
            return CH_AUTO_DAEMON;
    }
    if (g_mime_object_get_header(o, "List-Id") || g_mime_object_get_header(o, "List-Unsubscribe"))
        return CH_AUTO_LIST;
    const char *prec = g_mime_object_get_header(o, "Precedence");
    if (value_is(prec, "bulk") || value_is(prec, "list") || value_is(prec, "junk"))
        return CH_AUTO_BULK;
    if (value_is(prec, "auto_reply"))
        return CH_AUTO_SUBMITTED;
    if (m->bounce.is_bounce)
        return CH_AUTO_DAEMON;
    return CH_AUTO_NONE;
}

/* The charset the sender declared for the message's text: the top part's,
 * or the first text part's. Raw 8-bit headers are most likely in it. */
static const char *declared_charset(GMimeObject *obj, int depth)
{
    if (!obj || depth > 20)
        return NULL;
    const char *cs = g_mime_object_get_content_type_parameter(obj, "charset");
    if (cs)
        return cs;
    if (GMIME_IS_MULTIPART(obj)) {
        int count = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
        for (int i = 0; i < count; i++)
            if ((cs = declared_charset(g_mime_multipart_get_part(GMIME_MULTIPART(obj), i),
                                       depth + 1)))
                return cs;
    }
    return NULL;
}

static GMimeMessage *construct(const char *raw, size_t len, GMimeParserOptions *opts)
{
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, opts);
    g_object_unref(parser);
    g_object_unref(stream);
    return msg;
}

/* Where the body starts: after the first empty line, or len. */
static size_t body_offset(const char *raw, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (raw[i] != '\n')
            continue;
        if (raw[i + 1] == '\n')
            return i + 2;
        if (raw[i + 1] == '\r' && i + 2 < len && raw[i + 2] == '\n')
            return i + 3;
    }
    return len;
}

/* Whether raw starts with a header line ("Name: value"). */
static bool starts_with_header(const char *raw, size_t len)
{
    size_t i = 0;
    while (i < len && raw[i] > ' ' && raw[i] < 0x7f && raw[i] != ':')
        i++;
    if (i == 0)
        return false;
    while (i < len && (raw[i] == ' ' || raw[i] == '\t'))
        i++;
    return i < len && raw[i] == ':';
}

static void fill_headers(walk *wk, GMimeMessage *msg)
{
    ch_message *m = wk->out;
    const char *subject = g_mime_message_get_subject(msg);
    m->subject = arena_text(wk, subject, subject ? strlen(subject) : 0, true, HEADER_MAX);
    if (!first_address(wk, g_mime_message_get_from(msg), &m->from))
        m->from = (ch_address){.name = NULL, .addr = ""};
    if (!first_address(wk, g_mime_message_get_reply_to(msg), &m->reply_to))
        m->reply_to = (ch_address){0};
    size_t cap = 0;
    addresses(wk, g_mime_message_get_to(msg), &m->to, &m->nto, &cap, 0);
    cap = 0;
    addresses(wk, g_mime_message_get_cc(msg), &m->cc, &m->ncc, &cap, 0);
    m->message_id = id_copy(wk, g_mime_message_get_message_id(msg));
    const char *irt = g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To");
    if (irt) {
        char *id = g_mime_utils_decode_message_id(irt);
        m->in_reply_to = id_copy(wk, id);
        g_free(id);
    }
    const char *refs = g_mime_object_get_header(GMIME_OBJECT(msg), "References");
    GMimeReferences *list = refs ? g_mime_references_parse(wk->opts, refs) : NULL;
    int count = list ? g_mime_references_length(list) : 0;
    if (count > 0) {
        m->references = ch_arena_alloc(wk->arena, sizeof(*m->references) * REFERENCES_MAX);
        if (!m->references)
            wk->nomem = true;
        /* A very long chain keeps its first (the thread's root) and its most
         * recent ids, which are the ones a reply is matched by. */
        for (int i = 0; i < count && m->references; i++) {
            if (count > REFERENCES_MAX && i > 0 && i < count - (REFERENCES_MAX - 1))
                continue;
            const char *id = id_copy(wk, g_mime_references_get_message_id(list, i));
            if (id)
                m->references[m->nreferences++] = id;
        }
    }
    if (list)
        g_mime_references_free(list);
    GDateTime *date = g_mime_message_get_date(msg);
    m->date = date ? (ch_time)g_date_time_to_unix(date) : 0;
}

int ch_message_parse(const char *raw, size_t len, ch_arena *arena, ch_message *out, ch_error *err)
{
    int rc = CH_OK;
    warnings warn = {0};
    walk wk = {.arena = arena, .out = out};
    GMimeMessage *msg = NULL;
    memset(out, 0, sizeof(*out));
    out->from.addr = "";
    out->subject = "";
    out->text = "";
    /* An mbox "From " line (an MTA's envelope) is not a header. */
    if (len >= 6 && memcmp(raw, "From ", 5) == 0 && raw[5] != ':') {
        const char *nl = memchr(raw, '\n', len);
        size_t skip = nl ? (size_t)(nl - raw) + 1 : len;
        raw += skip;
        len -= skip;
    }
    size_t lead = 0;
    while (lead < len && (raw[lead] == '\r' || raw[lead] == '\n'))
        lead++;
    if (len == 0 || lead == len)
        return ch_error_set(err, CH_E_INVALID, "the message is empty: there is nothing to read");
    if (lead > 0 || !starts_with_header(raw, len))
        return ch_error_set(err, CH_E_INVALID,
                            "the input is not a mail message: it does not start with a header "
                            "line such as 'From: a@example.org'");

    wk.opts = options_for(NULL, &warn);
    msg = construct(raw, len, wk.opts);
    if (msg && warn.eightbit) {
        /* Raw 8-bit headers are read again in the charset the sender
         * declared for the text, which is where such clients write them. */
        const char *cs = declared_charset(g_mime_message_get_mime_part(msg), 0);
        if (cs && g_ascii_strcasecmp(cs, "utf-8") != 0 && g_ascii_strcasecmp(cs, "us-ascii")) {
            wk.declared = g_strdup(cs);
            g_object_unref(msg);
            g_mime_parser_options_free(wk.opts);
            warn = (warnings){0};
            wk.opts = options_for(wk.declared, &warn);
            msg = construct(raw, len, wk.opts);
        }
    }
    if (msg) {
        fill_headers(&wk, msg);
        walk_object(&wk, g_mime_message_get_mime_part(msg), false, 0);
    }
    out->malformed = !msg || warn.structure;
    /* Some clients send an empty text/plain beside the HTML that says it all. */
    if (wk.plain && wk.html && !ch_text_said(wk.plain->str)) {
        g_string_free(wk.plain, TRUE);
        wk.plain = NULL;
    }
    if (wk.plain) {
        out->text = arena_text(&wk, wk.plain->str, wk.plain->len, false, TEXT_MAX);
    } else if (wk.html) {
        size_t n = 0;
        char *text = ch_mail_html_to_text(wk.html, strlen(wk.html), TEXT_MAX, &n);
        if (!text) {
            wk.nomem = true;
        } else {
            out->text = arena_text(&wk, text, n, false, TEXT_MAX);
            out->from_html = true;
            free(text);
        }
    }
    if (out->malformed && !*out->text) {
        /* What could not be structured is still what the person sent. */
        size_t at = body_offset(raw, len);
        char *utf8 = to_utf8(&wk, raw + at, len - at, NULL);
        GString *text = g_string_new(utf8);
        g_free(utf8);
        unix_lines(text);
        out->text = arena_text(&wk, text->str, text->len, false, TEXT_MAX);
        g_string_free(text, TRUE);
    }
    if (!out->bounce.original_id)
        out->bounce.original_id = wk.envelope_id;
    if (msg)
        out->automatic = automatic(msg, out);
    if (wk.nomem)
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory while reading the message");
    if (wk.plain)
        g_string_free(wk.plain, TRUE);
    g_free(wk.html);
    if (msg)
        g_object_unref(msg);
    g_mime_parser_options_free(wk.opts);
    g_free(wk.declared);
    return rc;
}
