#!/bin/sh
# One-shot (admin-tools image): the namespace, with the retention the project
# chose (closed engagements stay 30 days in Temporal; the benefit register keeps
# them for good), and the search attributes the engagements publish. An attribute
# that already exists with its type is fine; any other failure (another type
# included) stops the job, and nothing that needs it starts.
set -eu
address="${TEMPORAL_ADDRESS:?}"
namespace="${TEMPORAL_NAMESPACE:?}"
retention="${RETENTION:?}"
attempt=1
until temporal operator cluster health --address "$address" >/dev/null 2>&1; do
    [ "$attempt" -lt 30 ] || { echo "The Temporal server at $address is not serving." >&2; exit 1; }
    attempt=$((attempt + 1))
    sleep 2
done
if described=$(temporal operator namespace describe --address "$address" --namespace "$namespace" 2>&1); then
    temporal operator namespace update --address "$address" --namespace "$namespace" --retention "$retention"
else
    case "$described" in
        *"not found"*) ;;
        *) echo "$described" >&2; exit 1 ;;  # the server answered something else: not a reason to create
    esac
    if ! created=$(temporal operator namespace create --address "$address" --namespace "$namespace" \
            --retention "$retention" 2>&1); then
        case "$created" in
            *"already exists"*) ;;  # created meanwhile by another run
            *) echo "$created" >&2; exit 1 ;;
        esac
    fi
fi
for attribute in $SEARCH_ATTRIBUTES; do
    name="${attribute%%=*}"
    attempt=1
    # A namespace just created takes a few seconds to reach every server role.
    until output=$(temporal operator search-attribute create --address "$address" --namespace "$namespace" \
            --name "$name" --type "${attribute#*=}" 2>&1); do
        case "$output" in
            *"different type"*) echo "$output" >&2; exit 1 ;;
            *"already exists"*) echo "$name already exists"; break ;;  # what older servers answer
            *"is not found"*) [ "$attempt" -lt 30 ] || { echo "$output" >&2; exit 1; } ;;
            *) echo "$output" >&2; exit 1 ;;
        esac
        attempt=$((attempt + 1))
        sleep 1
    done
done
echo "Namespace $namespace ready: retention $retention, search attributes registered."
