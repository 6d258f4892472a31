/* The policy loader's part for the public standards page: the points of
 * contact a charter names (contact:, each with its telephone, email, postal
 * address, hours and whether callers need an appointment) and the link to
 * its privacy notice (privacy_notice:). */
#include "core/contact_point.h"
#include "core/mailrule.h"
#include "policy/load_internal.h"

#include <string.h>

static const char *const contact_keys[] = {"name",     "about", "telephone",   "email",
                                           "address",  "hours", "appointment", "note",
                                           "services", "notes", NULL};
static const char *const appointment_words[] = {"required", "not-needed", NULL};

/* One line of 1 to max characters under key, or NULL after reporting. */
static const char *one_line(loader *ld, struct fy_node *v, const char *key, size_t max,
                            const char *example)
{
    const char *s = ld_scalar(ld, v, key);
    if (!s)
        return NULL;
    if (!*s || strlen(s) > max || strpbrk(s, "\r\n")) {
        ld_problem(ld, v, "%s must be one line of 1-%zu characters, e.g. \"%s\"", key, max,
                   example);
        return NULL;
    }
    return s;
}

/* A postal address: up to 8 lines, none of them blank, 500 characters. */
static const char *postal(loader *ld, struct fy_node *v)
{
    const char *s = ld_scalar(ld, v, "address");
    if (!s)
        return NULL;
    size_t len = strlen(s);
    while (len && s[len - 1] == '\n') /* a block scalar's last newline */
        len--;
    int lines = 1;
    bool blank = len == 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\r')
            blank = true;
        if (s[i] == '\n') {
            lines++;
            blank = blank || i + 1 == len || s[i + 1] == '\n';
        }
    }
    if (blank || lines > 8 || len > 500) {
        ld_problem(ld, v,
                   "address must be a postal address of 1-8 lines (500 characters), one part "
                   "a line with none blank; write it as a block, e.g. \"address: |\" then "
                   "the lines indented below");
        return NULL;
    }
    return ch_arena_strndup(ld->arena, s, len);
}

static void parse_point(loader *ld, struct fy_node *m, ch_contact_point *c, const ch_policy *pol)
{
    struct fy_node *v;
    const char *s;
    if (!(v = ld_get(m, "name")))
        ld_problem(ld, m,
                   "a point of contact has no name; say who answers it, e.g. \"name: "
                   "Enquiries team\"");
    else
        c->name = one_line(ld, v, "name", 200, "Enquiries team");
    if ((v = ld_get(m, "about")))
        c->about = one_line(ld, v, "about", 300, "General questions, requests and advice");
    if ((v = ld_get(m, "telephone")) && (s = ld_scalar(ld, v, "telephone"))) {
        if (ch_telephone_ok(s))
            c->telephone = s;
        else
            ld_problem(ld, v,
                       "telephone '%s' is not a number callers can dial; write digits with "
                       "spaces as it is published, e.g. \"020 8323 0450\" or \"+44 20 8323 "
                       "0450\"",
                       s);
    }
    if ((v = ld_get(m, "email")) && (s = ld_scalar(ld, v, "email"))) {
        if (ch_mailrule_address_ok(s))
            c->email = s;
        else
            ld_problem(ld, v,
                       "email '%s' is not an email address; write it as local@domain, e.g. "
                       "enquiries@cognus.example",
                       s);
    }
    if ((v = ld_get(m, "address")))
        c->address = postal(ld, v);
    if ((v = ld_get(m, "hours")))
        c->hours = one_line(ld, v, "hours", 300, "Monday to Friday, 9am to 5pm");
    if ((v = ld_get(m, "appointment")) && (s = ld_scalar(ld, v, "appointment"))) {
        if (strcmp(s, "required") == 0) {
            c->appointment = CH_APPOINTMENT_REQUIRED;
        } else if (strcmp(s, "not-needed") == 0) {
            c->appointment = CH_APPOINTMENT_NOT_NEEDED;
        } else {
            const char *near = ld_suggest(s, appointment_words);
            ld_problem(ld, v,
                       "appointment '%s'%s%s%s must be required (callers need an appointment "
                       "first) or not-needed (callers are welcome without one)",
                       s, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        }
    }
    if ((v = ld_get(m, "note")) && (s = ld_scalar(ld, v, "note"))) {
        if (!*s || strlen(s) > 1000)
            ld_problem(ld, v, "note must be 1-1000 characters");
        else
            c->note = s;
    }
    if ((v = ld_get(m, "services"))) {
        int n = fy_node_is_sequence(v) ? fy_node_sequence_item_count(v) : -1;
        if (n <= 0) {
            ld_problem(ld, v,
                       "a point of contact's services must be a list of this policy's "
                       "services, e.g. [enquiries]");
            n = 0;
        }
        c->services = ch_arena_alloc(ld->arena, (size_t)(n > 0 ? n : 1) * sizeof(*c->services));
        for (int i = 0; c->services && i < n; i++) {
            struct fy_node *item = fy_node_sequence_get_by_index(v, i);
            if (!(s = ld_scalar(ld, item, "service")))
                continue;
            if (!ch_policy_service(pol, s))
                ld_problem(ld, item,
                           "a point of contact names service '%s', which is not defined under "
                           "services",
                           s);
            else
                c->services[c->nservices++] = s;
        }
    }
    if (!ld_get(m, "telephone") && !ld_get(m, "email") && !ld_get(m, "address"))
        ld_problem(ld, m,
                   "a point of contact needs a way to reach it: give a telephone, an email or "
                   "an address");
}

static void parse_contacts(loader *ld, struct fy_node *seq, ch_policy *pol)
{
    int n = fy_node_is_sequence(seq) ? fy_node_sequence_item_count(seq) : -1;
    if (n <= 0) {
        ld_problem(ld, seq,
                   "contact must be a list of points of contact, each with a name and a "
                   "telephone, email or address");
        return;
    }
    if (n > CH_CONTACT_POINTS_MAX) {
        ld_problem(ld, seq, "a policy may name at most %d points of contact",
                   CH_CONTACT_POINTS_MAX);
        return;
    }
    pol->contacts = ch_arena_alloc(ld->arena, (size_t)n * sizeof(*pol->contacts));
    for (int i = 0; pol->contacts && i < n; i++) {
        struct fy_node *m = fy_node_sequence_get_by_index(seq, i);
        ch_contact_point *c = &pol->contacts[pol->ncontacts];
        memset(c, 0, sizeof(*c));
        if (!ld_check_keys(ld, m, contact_keys, "a point of contact"))
            continue;
        parse_point(ld, m, c, pol);
        pol->ncontacts++;
    }
}

void ld_public(loader *ld, struct fy_node *contact, struct fy_node *privacy, ch_policy *pol)
{
    const char *s;
    if (contact)
        parse_contacts(ld, contact, pol);
    if (privacy && (s = ld_scalar(ld, privacy, "privacy_notice"))) {
        if (ch_public_link_ok(s))
            pol->privacy_notice = s;
        else
            ld_problem(ld, privacy,
                       "privacy_notice '%s' must be the full web address of the privacy "
                       "notice, starting https://, e.g. https://www.cognus.example/privacy",
                       s);
    }
}
