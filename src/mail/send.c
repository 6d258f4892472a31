/* Sending mail with libcurl's SMTP and MIME support. The headers are ours:
 * Date and Message-ID (libcurl adds neither), and non-ASCII names and
 * subjects as RFC 2047 encoded words. */
#include "mail/mail.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int ch_mail_init(ch_error *err)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return ch_error_set(err, CH_E_IO, "the mail library could not start");
    return CH_OK;
}

void ch_mail_cleanup(void)
{
    curl_global_cleanup();
}

bool ch_mail_address_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    const char *at = s ? strchr(s, '@') : NULL;
    if (n < 3 || n > 254 || !at || at == s || !at[1] || strchr(at + 1, '@'))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f || strchr("<>()[],;:\"\\", *p))
            return false;
    return true;
}

/* "=?UTF-8?B?...?=" when text is not plain printable ASCII; text
 * otherwise. Line breaks are never copied. */
static void header_text(const char *text, char *out, size_t size)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), o = 0;
    bool plain = true;
    for (size_t i = 0; i < n; i++)
        if (s[i] < ' ' || s[i] > '~')
            plain = false;
    if (plain) {
        snprintf(out, size, "%s", text);
        return;
    }
    o = (size_t)snprintf(out, size, "=?UTF-8?B?");
    for (size_t i = 0; i < n && o + 8 < size; i += 3) {
        /* Control characters (a line break) become spaces before encoding. */
        unsigned a = s[i] < ' ' ? ' ' : s[i];
        unsigned b = i + 1 < n ? (s[i + 1] < ' ' ? ' ' : s[i + 1]) : 0;
        unsigned c = i + 2 < n ? (s[i + 2] < ' ' ? ' ' : s[i + 2]) : 0;
        unsigned v = a << 16 | b << 8 | c;
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    snprintf(out + o, size - o, "?=");
}

int ch_mail_send(const char *url, const ch_mail *m, ch_error *err)
{
    int rc = CH_OK;
    CURL *curl = NULL;
    curl_mime *mime = NULL;
    struct curl_slist *rcpt = NULL, *headers = NULL;
    char from[300], to[900], rcpt_to[300], subject[1024], name[600], date[64], id[96];
    char curl_err[CURL_ERROR_SIZE] = "";
    if (!ch_mail_address_ok(m->from) || !ch_mail_address_ok(m->to))
        return ch_error_set(err, CH_E_INVALID, "'%.80s' is not an address mail can go to",
                            ch_mail_address_ok(m->from) ? m->to : m->from);
    if (!(curl = curl_easy_init()) || !(mime = curl_mime_init(curl))) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "Date: %a, %d %b %Y %H:%M:%S +0000", &tm);
    static _Atomic unsigned serial;
    snprintf(id, sizeof(id), "Message-ID: <%lld.%ld.%u@charter>", (long long)now, (long)getpid(),
             ++serial);
    snprintf(from, sizeof(from), "From: <%s>", m->from);
    header_text(m->to_name ? m->to_name : "", name, sizeof(name));
    snprintf(to, sizeof(to), "To: %s%s<%s>", name, *name ? " " : "", m->to);
    char encoded[900];
    header_text(m->subject, encoded, sizeof(encoded));
    snprintf(subject, sizeof(subject), "Subject: %s", encoded);
    snprintf(rcpt_to, sizeof(rcpt_to), "<%s>", m->to);
    const char *lines[] = {date, id, from, to, subject};
    for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
        struct curl_slist *next = curl_slist_append(headers, lines[i]);
        if (!next) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        headers = next;
    }
    if (!(rcpt = curl_slist_append(NULL, rcpt_to))) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    curl_mimepart *part = curl_mime_addpart(mime);
    curl_mime_data(part, m->text, CURL_ZERO_TERMINATED);
    curl_mime_type(part, "text/plain; charset=utf-8");
    curl_mime_encoder(part, "quoted-printable");
    for (size_t i = 0; i < m->nattachments; i++) {
        const ch_mail_attachment *a = &m->attachments[i];
        part = curl_mime_addpart(mime);
        curl_mime_data(part, a->data, a->len);
        curl_mime_type(part, a->type);
        curl_mime_filename(part, a->name);
        curl_mime_encoder(part, "base64");
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from + 6); /* "<address>" */
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    CURLcode res = curl_easy_perform(curl);
    if (res != CURLE_OK)
        rc = ch_error_set(err, CH_E_IO, "the mail server did not take the message (%s)",
                          *curl_err ? curl_err : curl_easy_strerror(res));
out:
    curl_mime_free(mime);
    curl_slist_free_all(headers);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    return rc;
}
