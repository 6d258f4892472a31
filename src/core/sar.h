/* Subject access: what a data protection officer decides about a person's
 * copy of their data (who is named, what is withheld), and when a subject
 * access case may be extended or its export released. Pure: the store
 * gathers, src/export writes, this module only decides. */
#ifndef CH_SAR_H
#define CH_SAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/casework.h"
#include "core/error.h"

/* The flag an extended SAR case carries: the policies' extended promise
 * (one calendar month plus two) applies while it is on, in place of the
 * one-month promise. */
#define CH_SAR_EXTENDED_FLAG "sar-extended"

/* Whether a change of a case's flags from old to new leaves the extension
 * flag as it was: it is given by a manager with a reason (POST
 * .../sar/extend), never set or taken off by an edit of the flags.
 * CH_E_INVALID with a sentence otherwise. */
int ch_sar_flags_check(const char *const *old, size_t nold, const char *const *new_flags,
                       size_t nnew, ch_error *err);

/* What a third party's personal data is replaced with. */
#define CH_SAR_WITHHELD "[another person]"

/* How a member of staff is named in an export: by role and service
 * ("an officer of cognus/enquiries"), not by name. UK GDPR leaves staff
 * acting in their work out where naming them is not needed to understand
 * the record (DPA 2018 Sch. 2 para. 16); the role says what the person
 * needs to know. user_id 0 is the desk itself. Written to out. */
void ch_sar_staff_label(int64_t user_id, const char *role, const char *const *services,
                        size_t nservices, char *out, size_t size);

/* The name to show for a party to a record: the subject's own name, or
 * CH_SAR_WITHHELD for anyone else (a third party, Sch. 2 para. 16). */
const char *ch_sar_party(int64_t party_id, int64_t subject_id, const char *name);

/* Whether a contact's words are withheld: it was with, or from, another
 * identified person (a shared case's other parent, an advocate); the
 * contact's date, direction and channel are still listed. */
bool ch_sar_contact_withheld(int64_t with_person_id, int64_t subject_id);

/* One name to take out of free text, and what goes in its place. */
typedef struct ch_sar_name {
    const char *name, *label;
} ch_sar_name;

/* The names to take out of free text, prepared once for an export: sorted
 * by their first word, so each word of a text is looked up rather than
 * every name tried at every byte (an export scrubs against everyone on
 * record). */
typedef struct ch_sar_scrubber {
    ch_sar_name *names; /* in the arena given to init; the strings are the caller's */
    size_t n;
} ch_sar_scrubber;

/* Prepares the n names (each 3 bytes or more; shorter ones are dropped).
 * -1 when out of memory, else 0. */
int ch_sar_scrubber_init(ch_sar_scrubber *s, ch_arena *arena, const ch_sar_name *names, size_t n);

/* text with every whole-word occurrence of each name (matched ignoring
 * ASCII case, and not inside a longer word: "Ann" leaves "Annual" alone)
 * replaced by its label, in arena; the longest name wins at each place,
 * so "Ann Smith" goes before "Ann". NULL in, NULL out. NULL when out of
 * memory. */
const char *ch_sar_scrub(ch_arena *arena, const char *text, const ch_sar_scrubber *s);

/* Whether a name found on another person's record is taken out of the
 * subject's free text: an email address, or a name of two words or more
 * that is not part of the subject's own (a lone first name on record,
 * "Ben", would otherwise take the subject's own "Ben" out of their copy). */
bool ch_sar_other_scrubbed(const char *name, const char *subject_name);

/* May a SAR case be extended now? Only a sar case, not closed, not already
 * extended, whose one-month reply is still pending (an extension must be
 * made, and the person told, within the first month: Art. 12(3)).
 * CH_E_INVALID or CH_E_CONFLICT with a sentence. */
int ch_sar_extend_check(const char *kind, const char *status, bool extended, bool has_reply,
                        ch_ostate reply, ch_error *err);

/* May a SAR case's export be released? Only a sar case about a person on
 * record, not closed. CH_E_INVALID or CH_E_CONFLICT with a sentence. */
int ch_sar_release_check(const char *kind, const char *status, int64_t person_id, ch_error *err);

/* The export's file name: subject-access-case-N.zip (or person-N for a
 * preview with no case). */
void ch_sar_filename(int64_t case_id, int64_t person_id, char *out, size_t size);

#endif
