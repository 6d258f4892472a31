#!/bin/sh
# `charter due` black-box: DESIGN.md's worked examples through the Cognus
# policy, the other seed charters, and every kind of bad input.
. "$(dirname "$0")/lib.sh"
cognus=policies/cognus.yaml

run due --policy $cognus --channel email --received 2026-12-18T16:45 --json
expect_status 0 "email before the weekend"
expect_out '{"received": "2026-12-18T16:45:00Z", "deemed_received": "2026-12-18T16:45:00Z", "obligations": [{"promise": "written-reply", "kind": "respond", "due": "2026-12-23T17:00:00Z", "text": "We reply to voicemails, emails, letters and messages through our website within 3 working days."}]}'

run due --policy $cognus --channel email --received 2026-12-24T16:45 --json
expect_status 0 "Christmas Eve"
expect_out '"due": "2026-12-31T17:00:00Z"'

# The same contacts as RFC 3339 with offsets give the same answers.
run due --policy $cognus --service enquiries --channel email --received 2026-12-18T17:45:00+01:00 --json
expect_out '"due": "2026-12-23T17:00:00Z"'

# Out of hours: deemed received next working day.
run due --policy $cognus --channel letter --received 2026-12-19T10:00 --json
expect_out '"deemed_received": "2026-12-21T09:00:00Z"'
expect_out '"due": "2026-12-24T17:00:00Z"'

# A complex query: acknowledgement in 3 days, full answer in 10 of the original.
run due --policy $cognus --channel letter --received 2026-12-24T10:00 --flag complex --json
expect_out '"promise": "complex-acknowledge", "kind": "acknowledge", "due": "2026-12-31T17:00:00Z"'
expect_out '"promise": "complex-reply", "kind": "respond", "due": "2027-01-12T17:00:00Z"'

# Service orders: 7 calendar days; a voicemail is picked up the same working day.
run due --policy $cognus --channel web --kind service-order --received 2026-12-21T11:00 --json
expect_out '"promise": "service-order", "kind": "process", "due": "2026-12-28T23:59:59Z"'
run due --policy $cognus --channel voicemail --received 2026-12-18T18:30 --json
expect_out '"promise": "message-picked-up", "kind": "acknowledge", "due": "2026-12-21T17:00:00Z"'

# In summer the answer is in UTC: 17:00 BST is 16:00Z.
run due --policy $cognus --channel email --received 2026-06-18T16:45 --json
expect_out '"due": "2026-06-23T16:00:00Z"'

# A pause over a weekend gives back the working day it stopped on.
run due --policy $cognus --channel email --received 2026-12-09T10:00 --pause 2026-12-11T16:00/2026-12-14T09:00 --json
expect_out '"due": "2026-12-15T17:00:00Z"'

# The readable table is in local time.
run due --policy $cognus --channel email --received 2026-06-18T16:45
expect_status 0 "table"
expect_out 'Tue 23 Jun 2026 17:00'

# Beacon: same working day before the 3pm cut-off, next working day after;
# the half term is passed over.
run due --policy policies/beacon.yaml --channel phone --received 2026-10-22T14:59:59 --json
expect_out '"due": "2026-10-22T15:30:00Z"'
run due --policy policies/beacon.yaml --channel phone --received 2026-10-22T15:00 --json
expect_out '"due": "2026-10-23T15:30:00Z"'
run due --policy policies/beacon.yaml --channel email --received 2026-10-23T15:00 --json
expect_out '"deemed_received": "2026-11-02T08:30:00Z"'
expect_out '"due": "2026-11-02T16:30:00Z"'

# Statutory clocks.
run due --policy policies/uk-statutory.yaml --channel email --kind foi --received 2026-12-18T12:00 --json
expect_out '"promise": "foi-reply", "kind": "respond", "due": "2027-01-21T23:59:59Z"'
run due --policy policies/uk-statutory.yaml --channel email --kind sar --received 2027-01-31T12:00 --json
expect_out '"due": "2027-03-01T23:59:59Z"'
run due --policy policies/uk-statutory.yaml --channel letter --kind complaint --received 2026-12-18T12:00 --json
expect_out '"promise": "complaint-stage1-acknowledge", "kind": "acknowledge", "due": "2026-12-29T17:00:00Z"'
expect_out '"promise": "complaint-stage1-reply", "kind": "respond", "due": "2027-01-13T17:00:00Z"'
run due --policy policies/uk-statutory.yaml --channel letter --kind complaint --stage stage-2 --received 2026-12-18T12:00 --json
expect_out '"promise": "complaint-stage2-reply", "kind": "respond", "due": "2027-01-27T17:00:00Z"'
run due --policy policies/uk-statutory.yaml --channel letter --kind complaint --stage stage-9 --received 2026-12-18T12:00
expect_status 2 "an unknown stage"
expect_err "not a complaint stage"
run due --policy policies/uk-statutory.yaml --channel letter --kind complaint --stage stage2 --received 2026-12-18T12:00
expect_status 2 "a misspelt stage"
expect_err "its stages are stage-1, stage-2"
run due --policy $cognus --channel email --kind complaint --stage stage-2 --received 2026-12-18T12:00
expect_status 2 "a stage at a charter with one complaint stage"
expect_err "handles complaints in one stage, so leave --stage out"

# Nothing promised for a phone call at Cognus: said plainly.
run due --policy $cognus --channel phone --received 2026-12-18T10:00
expect_status 0 "no promise"
expect_out 'No time-limited promise applies'
run due --policy $cognus --channel phone --received 2026-12-18T10:00 --json
expect_out '"obligations": []'

# Bad input: each gets a sentence saying what to do, and a failing status:
# 2 for an argument that will not do, 1 for one the calendar cannot answer.
run due --policy $cognus --channel email --received 2026-02-30T10:00
expect_status 2 "a date that does not exist"
expect_err "charter due: --received '2026-02-30T10:00': "
expect_err 'not a real date'
run due --policy $cognus --channel email --received 2026-03-29T01:30
expect_status 2 "a time skipped by the clocks"
expect_err 'does not exist locally'
run due --policy $cognus --channel email --received 2026-10-25T01:30
expect_status 2 "a time that happens twice"
expect_err '+01:00 for the first'
run due --policy $cognus --channel email --received 2031-01-06T10:00
expect_status 1 "past the horizon"
expect_err 'add bank holidays'
run due --policy policies/beacon.yaml --channel email --received 2027-07-22T10:00
expect_status 1 "after Beacon's last term"
expect_err 'outside'
run due --policy $cognus --service nursery --channel email --received 2026-12-18T10:00
expect_status 2 "an unknown service"
expect_err "--service 'nursery': $cognus has no such service; its services are: enquiries"
run due --policy $cognus --channel fax --received 2026-12-18T10:00
expect_status 2 "an unknown channel"
expect_err "--channel 'fax' is not a channel"
run due --policy $cognus --channel email --kind gripe --received 2026-12-18T10:00
expect_status 2 "an unknown kind"
run due --policy $cognus --channel email
expect_status 2 "no --received"
expect_err 'required'
run due --policy $cognus --channel email --received
expect_status 2 "--received without a value"
run due --policy no-such-file.yaml --channel email --received 2026-12-18T10:00
expect_status 2 "a missing policy file"
expect_err "--policy 'no-such-file.yaml': No such file or directory"
run due --policy $cognus --channel email --received 2026-12-18T10:00 --pause 2026-12-18T12:00
expect_status 2 "a pause without an end"
expect_err 'FROM/TO'
run due --policy $cognus --channel email --received 2026-12-18T10:00 --frobnicate
expect_status 2 "an unknown option"
run due --policy $cognus --channel email --received 2026-12-18T10:00 --flag 'Complex!'
expect_status 2 "a malformed flag"
expect_err "--flag 'Complex!' must be"
run due --help
expect_status 0 "help"
expect_out 'usage: charter due'

finish
