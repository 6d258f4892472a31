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
expect_err 'warning: The Typo Council charter was due for review by Wednesday 1 January 2020; review it and set a new review_by.'

printf 'charter: 1\nid: [broken\n' >"$tmp/syntax.yaml"
run policy check "$tmp/syntax.yaml"
expect_status 1 "broken YAML"
expect_err_re "syntax.yaml:[0-9]+:[0-9]+: YAML: "

# A service's mail: block and a promise's warn_before:.
cat >"$tmp/mail.yaml" <<'YAML'
charter: 1
id: mailbad
organisation: Mail Council
review_by: 2027-01-01
calendars:
  office:
    hours:
      monday-friday: 09:00-17:00
services:
  - id: enquiries
    name: Enquiries
    calendar: office
    mail:
      addresses: [enquiries@mail.example, "Jo <jo@mail.example>", nodomain@]
      acknowledge: yes
      secure: true
      replyto: x@mail.example
  - id: other
    name: Other
    calendar: office
    mail:
      addresses: [ENQUIRIES@mail.example]
      from: not-an-address
promises:
  - id: reply
    text: We reply.
    obligation: respond
    within: 3 working days
    warn_before: 1 workin day
  - id: soon
    text: We reply soon.
    obligation: respond
    within: 3 working days
    warn_before: 0 working days
YAML
run policy check "$tmp/mail.yaml"
expect_status 1 "a policy with mail mistakes"
expect_err "$tmp/mail.yaml:14:44: mail address 'Jo <jo@mail.example>' is not an email address"
expect_err "$tmp/mail.yaml:14:67: mail address 'nodomain@' is not an email address"
expect_err "$tmp/mail.yaml:15:20: acknowledge must be true"
expect_err "$tmp/mail.yaml:17:7: unknown key 'replyto' in a service's mail"
expect_err "$tmp/mail.yaml:22:19: mail address enquiries@mail.example already reaches service 'enquiries'"
expect_err "$tmp/mail.yaml:23:13: from 'not-an-address' is not an email address"
expect_err "$tmp/mail.yaml:29:18: unknown unit 'workin day'"
expect_err "$tmp/mail.yaml:34:18: warn_before must be at least 1 of its unit"

# Two policies may not both take one address.
sed -e 's/^id: cognus$/id: rival/' -e 's/enquiries@cognus.example, info@cognus.example/support@rival.example, INFO@cognus.example/' \
    policies/cognus.yaml >"$tmp/rival.yaml"
run policy check policies/cognus.yaml "$tmp/rival.yaml"
expect_status 1 "an address two policies claim"
expect_err "$tmp/rival.yaml: the address info@cognus.example is given to two services, cognus/enquiries and rival/enquiries"

# The public page's points of contact and privacy notice: every mistake at
# its line and column, and nothing of the policy loaded.
cat >"$tmp/contact.yaml" <<'YAML'
charter: 1
id: contactbad
organisation: Contact Council
review_by: 2027-01-01
calendars:
  office:
    hours:
      monday-friday: 09:00-17:00
services:
  - id: enquiries
    name: Enquiries
    calendar: office
promises:
  - id: reply
    text: We reply.
    obligation: respond
    within: 3 working days
contact:
  - name: Enquiries
    telephone: call 020 8323 0450
    email: enquiries at contact.example
    appointment: requried
    services: [enquries]
  - name: Post room
    adress: 1 High Street
  - about: No way to reach this one.
    hours: |
      Monday
      Tuesday
  - name: Letters
    address: |
      1 High Street

      Example Town
privacy_notice: www.contact.example/privacy
YAML
run policy check "$tmp/contact.yaml"
expect_status 1 "a policy with mistakes in its points of contact"
expect_err "$tmp/contact.yaml:20:16: telephone 'call 020 8323 0450' is not a number callers can dial"
expect_err "$tmp/contact.yaml:21:12: email 'enquiries at contact.example' is not an email address"
expect_err "$tmp/contact.yaml:22:18: appointment 'requried' (did you mean 'required'?) must be required"
expect_err "$tmp/contact.yaml:23:16: a point of contact names service 'enquries', which is not defined under services"
expect_err "$tmp/contact.yaml:25:5: unknown key 'adress' in a point of contact; did you mean 'address'?"
expect_err "$tmp/contact.yaml:24:5: a point of contact needs a way to reach it: give a telephone, an email or an address"
expect_err "$tmp/contact.yaml:26:5: a point of contact has no name"
expect_err "$tmp/contact.yaml:28:1: hours must be one line"
expect_err "$tmp/contact.yaml:32:1: address must be a postal address of 1-8 lines"
expect_err "$tmp/contact.yaml:35:17: privacy_notice 'www.contact.example/privacy' must be the full web address"
printf 'charter: 1\nid: x\norganisation: X\nreview_by: 2027-01-01\ncalendars: {office: {hours: {monday: 09:00-17:00}}}\nservices: [{id: e, name: E, calendar: office}]\npromises: []\ncontact: {name: E}\n' >"$tmp/contact2.yaml"
run policy check "$tmp/contact2.yaml"
expect_status 1 "contact that is not a list"
expect_err "$tmp/contact2.yaml:8:11: contact must be a list of points of contact"

run policy check missing.yaml
expect_status 2 "a missing file"
expect_err "the file 'missing.yaml': No such file or directory"
run policy check policies/cognus.yaml missing.yaml
expect_status 2 "a missing file among good ones: nothing is checked"
checks=$((checks + 1))
[ -s "$tmp/out" ] && fail "nothing is checked when a file is missing"
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
