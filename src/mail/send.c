/* Sending mail over SMTP with libcurl: a message already written by
 * ch_message_build goes out byte for byte, so there is one header writer.
 * Every session is bounded by timeouts and never raises signals, which is
 * what lets a worker thread call it safely. */
#include "mail/mail.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail/message.h"

int ch_mail_init(ch_error *err)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return ch_error_set(err, CH_E_IO, "the mail library could not start");
    /* Statements are built with GMime too; GMime counts its starts. */
    ch_message_init();
    return CH_OK;
}

void ch_mail_cleanup(void)
{
    ch_message_shutdown();
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

typedef struct upload {
    const char *data;
    size_t len, at;
} upload;

static size_t read_upload(char *buf, size_t size, size_t nmemb, void *userdata)
{
    upload *u = userdata;
    size_t room = size * nmemb, left = u->len - u->at;
    size_t n = left < room ? left : room;
    memcpy(buf, u->data + u->at, n);
    u->at += n;
    return n;
}

/* raw with every line ending CRLF, malloc'd, or NULL when it already
 * was: a bare LF or CR on the wire is how SMTP smuggling starts, and some
 * relays refuse it. */
static char *crlf_copy(const char *raw, size_t len, size_t *out_len, bool *nomem)
{
    size_t extra = 0;
    for (size_t i = 0; i < len; i++) {
        if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
            extra++;
        else if (raw[i] == '\r' && (i + 1 == len || raw[i + 1] != '\n'))
            extra++;
    }
    *nomem = false;
    if (extra == 0)
        return NULL;
    char *copy = malloc(len + extra);
    if (!copy) {
        *nomem = true;
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
            copy[o++] = '\r';
        copy[o++] = raw[i];
        if (raw[i] == '\r' && (i + 1 == len || raw[i + 1] != '\n'))
            copy[o++] = '\n';
    }
    *out_len = o;
    return copy;
}

int ch_mail_send_raw(const char *url, const char *mail_from, const char *const *rcpts,
                     size_t nrcpts, const char *raw, size_t len, bool require_tls,
                     const char *ca_file, ch_error *err)
{
    int rc = CH_OK;
    CURL *curl = NULL;
    struct curl_slist *rcpt = NULL;
    char from[300], one[300], curl_err[CURL_ERROR_SIZE] = "";
    char *fixed = NULL;
    upload u = {raw, len, 0};
    if (!url || !*url) {
        rc = ch_error_set(err, CH_E_INVALID, "no mail server is set: give an smtp:// address");
        goto out;
    }
    if (!ch_mail_address_ok(mail_from)) {
        rc = ch_error_set(err, CH_E_INVALID, "'%.80s' is not an address mail can come from",
                          mail_from ? mail_from : "");
        goto out;
    }
    if (nrcpts == 0) {
        rc = ch_error_set(err, CH_E_INVALID, "a message needs at least one recipient");
        goto out;
    }
    if (!raw || len == 0) {
        rc = ch_error_set(err, CH_E_INVALID, "there is no message to send");
        goto out;
    }
    bool nomem = false;
    size_t fixed_len = 0;
    if ((fixed = crlf_copy(raw, len, &fixed_len, &nomem)))
        u = (upload){fixed, fixed_len, 0};
    else if (nomem) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    snprintf(from, sizeof(from), "<%s>", mail_from);
    for (size_t i = 0; i < nrcpts; i++) {
        if (!ch_mail_address_ok(rcpts[i])) {
            rc = ch_error_set(err, CH_E_INVALID, "'%.80s' is not an address mail can go to",
                              rcpts[i] ? rcpts[i] : "");
            goto out;
        }
        snprintf(one, sizeof(one), "<%s>", rcpts[i]);
        struct curl_slist *next = curl_slist_append(rcpt, one);
        if (!next) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        rcpt = next;
    }
    if (!(curl = curl_easy_init())) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &u);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u.len);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    /* Only SMTP: a redirect or another scheme could send the bytes elsewhere. */
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    if (require_tls)
        curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (ca_file)
        curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file);
    CURLcode res = curl_easy_perform(curl);
    if (res == CURLE_USE_SSL_FAILED)
        rc = ch_error_set(err, CH_E_IO,
                          "the mail server does not offer TLS, and this mail may only go "
                          "encrypted; nothing was sent");
    else if (res != CURLE_OK)
        rc = ch_error_set(err, CH_E_IO, "the mail server did not take the message (%s)",
                          *curl_err ? curl_err : curl_easy_strerror(res));
out:
    free(fixed);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    return rc;
}

int ch_mail_send(const char *url, const ch_mail *m, ch_error *err)
{
    int rc = CH_OK;
    char *raw = NULL, id[256];
    size_t len = 0;
    ch_part *parts = NULL;
    if (!ch_mail_address_ok(m->from) || !ch_mail_address_ok(m->to)) {
        rc = ch_error_set(err, CH_E_INVALID, "'%.80s' is not an address mail can go to",
                          ch_mail_address_ok(m->from) ? (m->to ? m->to : "")
                                                      : (m->from ? m->from : ""));
        goto out;
    }
    if (m->nattachments && !(parts = calloc(m->nattachments, sizeof(*parts)))) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < m->nattachments; i++)
        parts[i] = (ch_part){.filename = m->attachments[i].name,
                             .content_type = m->attachments[i].type,
                             .data = (const unsigned char *)m->attachments[i].data,
                             .len = m->attachments[i].len};
    ch_address to = {m->to_name, m->to};
    ch_outgoing out = {.from = {NULL, m->from},
                       .to = &to,
                       .nto = 1,
                       .subject = m->subject,
                       .text = m->text,
                       .parts = parts,
                       .nparts = m->nattachments,
                       .id_domain = strrchr(m->from, '@') + 1,
                       .date = (ch_time)time(NULL)};
    if ((rc = ch_message_build(&out, &raw, &len, id, err)))
        goto out;
    const char *rcpts[] = {m->to};
    rc = ch_mail_send_raw(url, m->from, rcpts, 1, raw, len, false, NULL, err);
out:
    free(raw);
    free(parts);
    return rc;
}
