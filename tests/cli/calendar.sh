#!/bin/sh
# `charter calendar`: the open periods a manager checks by eye.
. "$(dirname "$0")/lib.sh"

run calendar --policy policies/beacon.yaml --from 2026-10-22 --to 2026-11-02
expect_status 0 "Beacon around half term"
expect_out 'calendar term-time (Europe/London)'
expect_out 'Fri 23 Oct 2026  08:30-16:30'
expect_out 'Sat 24 Oct 2026  closed'
expect_out 'Mon 26 Oct 2026  closed'
expect_out 'Mon 02 Nov 2026  08:30-16:30'

run calendar --policy policies/cognus.yaml --from 2026-12-23 --to 2026-12-29
expect_out 'Thu 24 Dec 2026  09:00-17:00'
expect_out 'Fri 25 Dec 2026  closed'
expect_out 'Mon 28 Dec 2026  closed'
expect_out 'Tue 29 Dec 2026  09:00-17:00'

run calendar --policy policies/uk-statutory.yaml --calendar statutory --from 2026-11-30 --to 2026-11-30
expect_out 'Mon 30 Nov 2026  closed'

run calendar --policy policies/beacon.yaml --from 2027-07-01 --to 2027-08-01
expect_status 1 "past the last term"
expect_err 'has data only from 2025-09-03 to 2027-07-21'
run calendar --policy policies/cognus.yaml --from 2026-12-10 --to 2026-12-01
expect_status 2 "a backwards range"
expect_err "--to must be on or after --from"
run calendar --policy policies/cognus.yaml --from 2026-12-32 --to 2027-01-01
expect_status 2 "a bad date"
expect_err "charter calendar: --from '2026-12-32': "
expect_err 'not a real date'
run calendar --policy policies/cognus.yaml --calendar nope --from 2026-12-01 --to 2026-12-02
expect_status 2 "an unknown calendar"
expect_err "--calendar 'nope': policies/cognus.yaml has no such calendar"
expect_err "its calendars are: office"

finish
