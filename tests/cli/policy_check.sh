#!/bin/sh
# `charter policy check`: valid seeds pass; a policy with mistakes fails
# with FILE:LINE:COL sentences on stderr.
. "$(dirname "$0")/lib.sh"

run policy check policies/*.yaml
expect_status 0 "the seed policies"
expect_out 'policies/cognus.yaml: ok: Cognus Limited'
expect_out 'policies/beacon.yaml: ok'

cat >"$tmp/typo.yaml" <<'YAML'
charter: 1
id: typo
organisation: Typo Council
review_by: 2027-01-01
calendars:
  office:
    hours:
      monday-friday: 09:00-17:00
      wednesday: 12:00-18:00
services:
  - id: enquiries
    name: Enquiries
    calender: office
promises:
  - id: reply
    text: We reply.
    obligation: respond
    within: 3 working dayz
    calendar: offices
YAML
run policy check "$tmp/typo.yaml"
expect_status 1 "a policy with mistakes"
expect_err "$tmp/typo.yaml:9:18: opening hours on wednesday overlap"
expect_err "$tmp/typo.yaml:13:5: unknown key 'calender' in a service; did you mean 'calendar'?"
expect_err "$tmp/typo.yaml:11:5: a service has no calendar"
expect_err "$tmp/typo.yaml:18:13: unknown unit 'working dayz' (did you mean 'working days'?)"
expect_err "$tmp/typo.yaml:19:15: promise 'reply' names calendar 'offices'"
expect_err_re "^$tmp/typo.yaml:[0-9]+:[0-9]+: "

# One bad file among good ones: the good ones still say ok; the run fails.
run policy check policies/cognus.yaml "$tmp/typo.yaml"
expect_status 1 "good and bad together"
expect_out 'policies/cognus.yaml: ok'

# A passed review date is a warning only.
sed 's/review_by: 2027-01-01/review_by: 2020-01-01/; s/dayz/days/; s/calender/calendar/; s/offices/office/; /wednesday/d' \
    "$tmp/typo.yaml" >"$tmp/old.yaml"
run policy check "$tmp/old.yaml"
expect_status 0 "an overdue review"
expect_err 'warning: the review date 2020-01-01 has passed'

printf 'charter: 1\nid: [broken\n' >"$tmp/syntax.yaml"
run policy check "$tmp/syntax.yaml"
expect_status 1 "broken YAML"
expect_err_re "syntax.yaml:[0-9]+:[0-9]+: YAML: "

run policy check missing.yaml
expect_status 1 "a missing file"
run policy check
expect_status 2 "no file named"
run policy lint policies/cognus.yaml
expect_status 2 "an unknown subcommand"

for sub in "" "check"; do
    run policy $sub --help
    expect_status 0 "policy $sub --help"
    expect_out 'usage: charter policy check FILE...'
done
run calendar --help
expect_status 0 "calendar --help"
run --help
expect_status 0 "charter --help"
expect_out 'commands:'
run frobnicate
expect_status 2 "an unknown command"
expect_err "'frobnicate' is not a command"

finish
