/* The public HTML forms' shared parts (contact, feedback, and any other page
 * the public fills in without JavaScript): reading a posted
 * application/x-www-form-urlencoded body, collecting what is wrong with it,
 * and writing labelled fields with their errors and the error summary. */
#ifndef CH_FORM_H
#define CH_FORM_H

#include "http/html.h"

/* More fields than the contact and feedback forms have; a body with more
 * is refused. A form with many questions passes its own limit. */
#define CH_FORM_MAX 64

typedef struct ch_form_field {
    const char *name, *value;
} ch_form_field;

typedef struct ch_form {
    ch_form_field *items; /* in the request's arena, in the order sent */
    size_t n;
} ch_form;

/* The posted body as name/value pairs in the request's arena, a name sent
 * twice kept twice (a multiple choice); false when it is not that encoding,
 * not UTF-8 text, holds a NUL (raw or encoded) (which would cut a value short
 * unseen), or has more than max fields (nothing is dropped quietly). */
bool ch_form_parse(ch_req *r, size_t max, ch_form *f);

/* Opens an enquiry on service ds from a web message (the public forms and
 * a school's own page use it): the charter's promises start their clocks
 * now, and the message is the case's first contact. *out is the case. */
int ch_public_case_open(ch_req *r, const ch_desk_service *ds, const char *name, const char *email,
                        const char *subject, const char *message, ch_case_row *out, ch_error *err);
/* The same for len bytes of body (NULL for none), copied into arena. */
bool ch_form_decode(ch_arena *arena, const char *body, size_t len, size_t max, ch_form *f);

/* The first value named name, or NULL. */
const char *ch_form_get(const ch_form *f, const char *name);
/* Every value sent under name, into values (room for cap); their count. */
size_t ch_form_all(const ch_form *f, const char *name, const char **values, size_t cap);

/* Problems with a form, shown in a summary and beside each field; past 16
 * the rest are left out (the summary already says there is a problem). */
typedef struct ch_faults {
    const char *field[16], *message[16];
    size_t n;
} ch_faults;

void ch_faults_add(ch_faults *e, const char *field, const char *message);
/* The message for field, or NULL when it has none. */
const char *ch_faults_for(const ch_faults *e, const char *field);

/* "There is a problem" with a link to each field at fault; nothing when
 * there is none. */
void ch_form_error_summary(ch_html *h, const ch_faults *e);

/* A labelled input of type (or "textarea") holding value, its error beside
 * it and tied to it by aria-describedby when it has one. */
void ch_form_input(ch_html *h, const ch_faults *e, const char *name, const char *label,
                   const char *type, const char *value, const char *autocomplete);

#endif
