/* A person's communication needs between the API's JSON and the core's
 * ch_person_needs, their alert sentences, and the files listed on a person
 * or a case: shared by the person, case and contact handlers. */
#ifndef CH_PERSON_JSON_H
#define CH_PERSON_JSON_H

#include "core/person.h"
#include "http/jsonw.h"
#include "http/request.h"

/* The member keys of "needs", for a handler's ch_req_key list. */
extern const ch_req_key ch_http_needs_keys[];

/* Checks needs (an object, every member strictly) into *out and its stored
 * form into *text (NULL when it records nothing), both in the request's
 * arena; faults go into p as "needs.<member>". */
void ch_http_needs_parse(ch_req *r, problems *p, json_t *needs, ch_person_needs *out,
                         const char **text);

/* The needs a stored text records (NULL or unreadable: none), with strings
 * in arena. */
void ch_http_needs_read(const char *text, ch_arena *arena, ch_person_needs *out);

/* Writes "needs" (the stored object, or {}) and "alerts" (the sentences)
 * as members of the current object. */
void ch_jw_needs(ch_jw *w, const char *text, ch_arena *arena);

/* Writes "attachments": the files of a person (person_id) or a case, as
 * members of the current object; CH_OK or the store's error. */
int ch_jw_attachments(ch_jw *w, ch_req *r, int64_t person_id, int64_t case_id, ch_error *err);

/* Whether an outbound contact on case c by channel may go ahead: true when
 * the person did not ask us to avoid it, or reason says why it had to be
 * (audited); false after queuing 409 /problems/channel-avoided (audited)
 * with what the person asked and how to go on. */
bool ch_http_channel_check(ch_req *r, const ch_case_row *c, ch_channel channel, const char *reason,
                           enum MHD_Result *res);

#endif
