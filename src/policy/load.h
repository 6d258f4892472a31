/* Charter policy files: YAML (through libfyaml) into a validated ch_policy.
 * Every problem is reported with its file, line and column and a sentence on
 * how to fix it; docs/policy.md is the reference for the format. */
#ifndef CH_LOAD_H
#define CH_LOAD_H

#include "core/policy.h"
#include "policy/diag.h"

/* Loads the policy at path. On success *out belongs to the caller (free it
 * with ch_policy_free); otherwise returns CH_E_INVALID (or CH_E_IO) with
 * every problem found added to diags. */
int ch_policy_load_file(ch_policy **out, const char *path, ch_diags *diags);

/* The same from len bytes of text; name labels diagnostics. Files the policy
 * names (iCalendar, holiday feeds) are read relative to base_dir, and are
 * refused when base_dir is NULL. */
int ch_policy_load_text(ch_policy **out, const char *name, const char *text, size_t len,
                        const char *base_dir, ch_diags *diags);

#endif
