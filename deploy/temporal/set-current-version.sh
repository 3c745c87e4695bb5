#!/bin/sh
# One-shot (admin-tools image), after the worker of this build has registered its
# version: makes that build current, so new engagements, and running ones at their
# next task (they auto-upgrade), run on it. To ramp a build in gradually instead,
# see docs/upgrades.md.
set -eu
attempt=1
until temporal worker deployment set-current-version --address "${TEMPORAL_ADDRESS:?}" \
        --namespace "${TEMPORAL_NAMESPACE:?}" --deployment-name "${FASTTRACK_DEPLOYMENT_NAME:?}" \
        --build-id "${FASTTRACK_BUILD_ID:?}" --yes; do
    if [ "$attempt" -ge 30 ]; then
        echo "The worker of build $FASTTRACK_BUILD_ID never registered its version." >&2
        exit 1
    fi
    attempt=$((attempt + 1))
    sleep 2
done
