#!/bin/sh
# Shows `charter due` answering a few sample contacts for each seed policy,
# the engine's demonstration until the case desk (`charter serve`) exists.
set -eu
charter=${1:-build/charter}
cd "$(dirname "$0")/.."
show() {
    echo "\$ charter due $*"
    "$charter" due "$@"
    echo
}
"$charter" policy check policies/*.yaml
echo
show --policy policies/cognus.yaml --channel email --received 2026-12-18T16:45
show --policy policies/cognus.yaml --channel letter --received 2026-12-24T10:00 --flag complex
show --policy policies/cognus.yaml --channel web --kind service-order --received 2026-12-21T11:00
show --policy policies/hackney-services-for-schools.yaml --channel email --received 2026-12-18T16:45
show --policy policies/sendiass.yaml --channel phone --received 2026-10-23T15:30
show --policy policies/beacon.yaml --channel phone --received 2026-10-23T14:30
show --policy policies/beacon.yaml --channel email --received 2026-10-23T15:30
show --policy policies/customer-care-template.yaml --channel letter --received 2026-12-18T12:00
show --policy policies/uk-statutory.yaml --channel email --kind foi --received 2026-12-18T12:00
show --policy policies/uk-statutory.yaml --channel email --kind sar --received 2027-01-31T12:00
show --policy policies/uk-statutory.yaml --channel letter --kind complaint --received 2026-12-18T12:00
echo "Try: $charter calendar --policy policies/beacon.yaml --from 2026-10-19 --to 2026-11-06"
