/* libFuzzer harness for reading mail: any bytes a mail server could pass
 * must give a message (or a refusal of what is not one) with every string
 * clean UTF-8, never a crash, leak or undefined behaviour. A message read
 * is also answered, as the desk would, to exercise the writer on its output,
 * and the bytes are read as an HTML body too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "mail/html.h"
#include "mail/mail.h"
#include "mail/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void clean_or_abort(const char *s, bool one_line)
{
    if (!s)
        return;
    size_t n = strlen(s);
    if (ch_utf8_invalid_at(s, n) != n)
        abort();
    for (size_t i = 0; one_line && i < n; i++)
        if ((unsigned char)s[i] < ' ')
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool started;
    if (!started) {
        ch_message_init();
        started = true;
    }
    ch_arena arena = {0};
    ch_message m;
    ch_error err;
    if (ch_message_parse((const char *)data, size, &arena, &m, &err) == CH_OK) {
        if (!m.from.addr || !m.subject || !m.text || strchr(m.text, '\r'))
            abort();
        clean_or_abort(m.subject, true);
        clean_or_abort(m.from.name, true);
        clean_or_abort(m.text, false);
        for (size_t i = 0; i < m.nto; i++)
            clean_or_abort(m.to[i].name, true);
        for (size_t i = 0; i < m.nparts; i++)
            if (!m.parts[i].filename || !*m.parts[i].filename || !m.parts[i].data ||
                strchr(m.parts[i].filename, '/'))
                abort();
        if (ch_mail_address_ok(m.from.addr)) {
            ch_address to = {m.from.name, m.from.addr};
            ch_outgoing reply = {.from = {"Desk", "desk@cognus.example"},
                                 .to = &to,
                                 .nto = 1,
                                 .subject = m.subject,
                                 .text = m.text,
                                 .in_reply_to = m.message_id,
                                 .references = m.references,
                                 .nreferences = m.nreferences,
                                 .id_domain = "cognus.example",
                                 .date = 1796139001};
            char *raw = NULL, id[256];
            size_t len = 0;
            if (ch_message_build(&reply, &raw, &len, id, &err) == CH_OK && (!raw || !*id))
                abort();
            free(raw);
        }
    }
    ch_arena_free(&arena);
    /* The same bytes as an HTML body: bounded, whole characters, no NUL. */
    size_t n = 0;
    char *text = ch_mail_html_to_text((const char *)data, size, 4096, &n);
    if (text && (n > 4096 || strlen(text) != n))
        abort();
    free(text);
    return 0;
}
