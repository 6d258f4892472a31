/* A contact on a case checked against the charter and turned into the case
 * update that records it: shared by the contacts endpoint and the email
 * reply, so a reply is refused, and meets promises, exactly as a logged
 * outbound email would. */
#ifndef CH_HTTP_CASE_CHANGES_H
#define CH_HTTP_CASE_CHANGES_H

#include "http/desk.h"
#include "http/request.h"

/* What a contact says it is, already read from its request. */
typedef struct ch_contact_ask {
    const char *direction, *channel; /* "outbound", "email" */
    ch_channel ch;
    ch_time at;
    const char *who, *summary, *channel_reason;
    bool resolved, handover;
    int64_t handed_to;      /* with handover */
    unsigned meets;         /* 1 << kind of each promise it says it keeps */
    int64_t with_person_id; /* 0: the case's person, for an outbound contact */
} ch_contact_ask;

/* The update recording the contact; it points into itself, so it stays
 * where it was planned. */
typedef struct ch_contact_plan {
    ch_contact_row contact;
    ch_event_row event;
    ch_case_update update;
    ch_user colleague; /* the one handed to, id 0 for none */
    char detail[800];
} ch_contact_plan;

/* Reads "meets" (a list of kinds such as "respond", or the promise ids of
 * the case's open obligations) into *meets, noting in p what cannot be
 * met: only outbound contacts meet, and only what the case still owes. */
void ch_http_meets_read(problems *p, json_t *jm, const ch_case_row *c, bool outbound,
                        unsigned *meets);

/* Asks the charter (the person's channel needs, consent, restrictions, a
 * handover's colleague) and fills *plan; false after queuing the refusal
 * (a 409 with its typed problem) or the error in *res. */
bool ch_http_contact_plan(ch_req *r, const ch_case_row *c, const ch_desk_service *ds,
                          const ch_contact_ask *ask, ch_contact_plan *plan, enum MHD_Result *res);

/* The obligations of case c counted again as if its flags were flags (its
 * kind and status as they are): the changes go into *u (changed, added,
 * removed, next_due_at). For an endpoint that changes a case's flags for a
 * reason of its own, such as a subject access request's extension. */
int ch_http_case_reflag(ch_req *r, const ch_case_row *c, const char **flags, size_t nflags,
                        ch_case_update *u, ch_error *err);

#endif
