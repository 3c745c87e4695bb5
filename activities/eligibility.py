from temporalio import activity

from fasttrack.base import StrictModel
from fasttrack.models import EligibilityVerdict, Purchase
from fasttrack.policy import BenefitPolicy
from fasttrack.rules import check_eligibility


class EligibilityRequest(StrictModel):
    purchase: Purchase
    policy: BenefitPolicy


@activity.defn
async def verify_eligibility(request: EligibilityRequest) -> EligibilityVerdict:
    """R1. Today the purchase event carries every fact the rule needs; this is the
    place where a lookup in commerce would go."""
    verdict = check_eligibility(request.purchase, request.policy)
    activity.logger.info(
        "eligibility verified", extra={"tenant_id": request.purchase.tenant_id, "eligible": verdict.eligible}
    )
    return verdict
