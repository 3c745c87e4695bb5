"""The headers every answer of the customer's page and the board carries (the ``secure`` package): a
content security policy with no inline script or style and no framing, no referrer (the
link is personal), nothing cached (the page holds the customer's data)."""

from __future__ import annotations

from secure import (
    CacheControl,
    ContentSecurityPolicy,
    CrossOriginOpenerPolicy,
    PermissionsPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)


def security_headers(https: bool) -> Secure:
    csp = (ContentSecurityPolicy().default_src("'none'").style_src("'self'").img_src("'self'")
           .form_action("'self'").frame_ancestors("'none'").base_uri("'none'"))
    return Secure(
        csp=csp,
        referrer=ReferrerPolicy().no_referrer(),
        xfo=XFrameOptions().deny(),
        xcto=XContentTypeOptions(),
        cache=CacheControl().no_store(),
        coop=CrossOriginOpenerPolicy().same_origin(),
        permissions=PermissionsPolicy().geolocation().camera().microphone(),
        hsts=StrictTransportSecurity().max_age(31_536_000) if https else None,
    )
