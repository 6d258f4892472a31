/* Customer surveys: the wrappers that dispatch to the backend (the SQL
 * both backends share is in surveys_sql.h). */
#include "store/backend.h"

int ch_store_survey_candidates(ch_store *s, const char *service, const char *kinds,
                               ch_time closed_from, ch_time closed_to, size_t limit,
                               ch_arena *arena, ch_survey_candidate **out, size_t *n, ch_error *err)
{
    return s->ops->survey_candidates(s, service, kinds, closed_from, closed_to, limit, arena, out,
                                     n, err);
}

int ch_store_survey_invite(ch_store *s, ch_survey_invitation *inv, ch_outbox_row *mail,
                           ch_error *err)
{
    return s->ops->survey_invite(s, inv, mail, err);
}

int ch_store_survey_find(ch_store *s, const char *token_hash, ch_arena *arena,
                         ch_survey_invitation *out, ch_error *err)
{
    return s->ops->survey_find(s, token_hash, arena, out, err);
}

int ch_store_survey_answer(ch_store *s, const char *token_hash, ch_survey_response *r,
                           ch_error *err)
{
    return s->ops->survey_answer(s, token_hash, r, err);
}

int ch_store_survey_invitations(ch_store *s, const ch_survey_filter *f, ch_arena *arena,
                                ch_survey_invitation **out, size_t *n, ch_error *err)
{
    return s->ops->survey_invitations(s, f, arena, out, n, err);
}

int ch_store_survey_responses(ch_store *s, const ch_survey_filter *f, ch_arena *arena,
                              ch_survey_response **out, size_t *n, ch_error *err)
{
    return s->ops->survey_responses(s, f, arena, out, n, err);
}
