/* The policy loader's parts for email: a service's mail: block (its
 * addresses, From, acknowledgement and secure sending) and a promise's
 * warn_before: (how long before it falls due staff are warned). */
#include "core/mailrule.h"
#include "policy/load_internal.h"

#include <string.h>

static const char *const mail_keys[] = {"addresses", "from", "name", "acknowledge", "secure", NULL};

static bool read_bool(loader *ld, struct fy_node *v, const char *key, const char *meaning)
{
    const char *s = ld_scalar(ld, v, key);
    if (!s)
        return false;
    if (strcmp(s, "true") && strcmp(s, "false")) {
        ld_problem(ld, v, "%s must be true (%s) or false", key, meaning);
        return false;
    }
    return strcmp(s, "true") == 0;
}

/* An address, lower-cased, or NULL after reporting. */
static const char *read_address(loader *ld, struct fy_node *v, const char *what)
{
    const char *s = ld_scalar(ld, v, what);
    if (!s)
        return NULL;
    if (!ch_mailrule_address_ok(s)) {
        ld_problem(ld, v,
                   "%s '%s' is not an email address; write it as local@domain, e.g. "
                   "enquiries@cognus.example (no name, no angle brackets)",
                   what, s);
        return NULL;
    }
    char *low = ch_arena_strdup(ld->arena, s);
    for (char *c = low; c && *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return low;
}

/* The service of pol (defined before svc) or svc itself holding addr. */
static const char *address_owner(const ch_policy *pol, const ch_service *svc, size_t upto,
                                 const char *addr)
{
    for (size_t i = 0; i < pol->nservices; i++)
        for (size_t a = 0; a < pol->services[i].nmail_to; a++)
            if (strcmp(pol->services[i].mail_to[a], addr) == 0)
                return pol->services[i].id;
    for (size_t a = 0; a < upto; a++)
        if (strcmp(svc->mail_to[a], addr) == 0)
            return svc->id;
    return NULL;
}

void ld_service_mail(loader *ld, struct fy_node *map, ch_service *svc, const ch_policy *pol)
{
    struct fy_node *v;
    if (!ld_check_keys(ld, map, mail_keys, "a service's mail"))
        return;
    v = ld_get(map, "addresses");
    if (!v || !fy_node_is_sequence(v) || fy_node_sequence_item_count(v) == 0) {
        ld_problem(ld, v ? v : map,
                   "mail needs addresses: a list of the addresses that reach this service, "
                   "e.g. [enquiries@cognus.example]");
        return;
    }
    int n = fy_node_sequence_item_count(v);
    svc->mail_to = ch_arena_alloc(ld->arena, (size_t)n * sizeof(*svc->mail_to));
    if (!svc->mail_to)
        return;
    for (int i = 0; i < n; i++) {
        struct fy_node *item = fy_node_sequence_get_by_index(v, i);
        const char *addr = read_address(ld, item, "mail address");
        if (!addr)
            continue;
        const char *owner = address_owner(pol, svc, svc->nmail_to, addr);
        if (owner) {
            ld_problem(ld, item,
                       "mail address %s already reaches service '%s'; an address may reach "
                       "only one service",
                       addr, owner);
            continue;
        }
        svc->mail_to[svc->nmail_to++] = addr;
    }
    svc->mail_from = svc->nmail_to ? svc->mail_to[0] : NULL;
    if ((v = ld_get(map, "from")))
        svc->mail_from = read_address(ld, v, "from");
    svc->mail_name = svc->name;
    if ((v = ld_get(map, "name"))) {
        const char *s = ld_scalar(ld, v, "name");
        if (s && (!*s || strlen(s) > 200 || strpbrk(s, "\r\n")))
            ld_problem(ld, v,
                       "name must be one line of 1-200 characters, e.g. \"Cognus "
                       "Enquiries\"");
        else if (s)
            svc->mail_name = s;
    }
    if ((v = ld_get(map, "acknowledge")))
        svc->mail_acknowledge =
            read_bool(ld, v, "acknowledge", "a new case by email is acknowledged by email");
    if ((v = ld_get(map, "secure")))
        svc->mail_secure =
            read_bool(ld, v, "secure", "mail holding personal data leaves only over TLS");
}

void ld_promise_warn(loader *ld, struct fy_node *v, ch_promise *p)
{
    if (p->schedule != CH_SCHEDULE_NONE) {
        ld_problem(ld, v,
                   "a promise kept on a schedule has no due time to warn of; remove "
                   "\"warn_before\"");
        return;
    }
    ch_target t = {0};
    if (!ld_within(ld, v, "warn_before", &t))
        return;
    if (t.amount <= 0) {
        ld_problem(ld, v, "warn_before must be at least 1 of its unit, e.g. \"1 working day\"");
        return;
    }
    t.counting = t.unit == CH_UNIT_WORKING_DAYS ? CH_COUNT_CLOSE_OF_DAY : CH_COUNT_ELAPSED;
    p->warn_before = t;
    p->warns = true;
}
