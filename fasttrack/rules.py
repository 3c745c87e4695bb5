"""The benefit's rules as pure functions: eligibility, assessment, enable plans."""

from __future__ import annotations

import re

from fasttrack.models import (
    ChecklistCategory,
    ChecklistItem,
    ConfigMgrVersion,
    EligibilityVerdict,
    EnableTask,
    ForestLevel,
    GapCategory,
    Goal,
    IdentityModel,
    MdmAuthority,
    Owner,
    Purchase,
    Scope,
    Service,
    SourceEnvironment,
    TaskNeeds,
    TaskStage,
)
from fasttrack.policy import BenefitPolicy, version_at_least

# ---------------------------------------------------------------- R1 eligibility


def check_eligibility(purchase: Purchase, policy: BenefitPolicy) -> EligibilityVerdict:
    """R1: a new subscription of at least ``minimum_licenses`` of an eligible plan.

    The sources do not say whether the threshold counts per tenant or per
    purchase; we count per purchase (the eligibility page speaks of "a new
    subscription of 150 or more licenses").
    """
    reasons = []
    if purchase.plan not in policy.eligible_plans:
        eligible = ", ".join(plan.value for plan in policy.eligible_plans)
        reasons.append(f"Plan '{purchase.plan.value}' does not include the benefit (eligible plans: {eligible}).")
    if purchase.licenses < policy.minimum_licenses:
        reasons.append(
            f"The purchase has {purchase.licenses} licenses; the benefit needs at least {policy.minimum_licenses}."
        )
    if policy.requires_new_subscription and not purchase.new_subscription:
        reasons.append("The benefit applies to a new subscription; this purchase extends an existing one.")
    return EligibilityVerdict(eligible=not reasons, reasons=reasons)


# ---------------------------------------------------------------- scope (kickoff)


def scope_problems(scope: Scope, policy: BenefitPolicy) -> list[str]:
    problems = []
    goals = set(scope.goals)
    if len(goals) != len(scope.goals):
        problems.append("Each goal may be listed once.")
    if len(set(scope.services)) != len(scope.services):
        problems.append("Each service may be listed once.")
    if Service.INTUNE not in scope.services:
        problems.append("This engagement onboards Intune: the services must include 'intune'.")
    if scope.mdm_authority is MdmAuthority.NONE and goals != {Goal.MAM}:
        problems.append(
            "An MDM authority is needed unless the only goal is MAM; choose 'intune' or 'configmgr'."
        )
    if scope.hybrid_configmgr and scope.mdm_authority is not MdmAuthority.CONFIGMGR:
        problems.append("A hybrid deployment with Configuration Manager needs 'configmgr' as the MDM authority.")
    if scope.mdm_authority is MdmAuthority.CONFIGMGR and not scope.hybrid_configmgr:
        problems.append("Configuration Manager as MDM authority means a hybrid deployment: set hybrid_configmgr.")
    if scope.language not in policy.languages:
        problems.append(
            f"Assistance is offered in {', '.join(policy.languages)}; '{scope.language}' is not one of them."
        )
    return problems


# ---------------------------------------------------------------- assessment (R7, R10, R11)

_FOREST_LEVEL_ORDER = list(ForestLevel)
_CONFIGMGR_ORDER = list(ConfigMgrVersion)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "x"


def assess_environment(
    environment: SourceEnvironment, scope: Scope, policy: BenefitPolicy
) -> tuple[list[ChecklistItem], list[str]]:
    """The remediation checklist and the scope notes for a submitted environment."""
    items: list[ChecklistItem] = []
    notes: list[str] = []

    def add(item_id: str, category: ChecklistCategory, description: str) -> None:
        if all(existing.id != item_id for existing in items):
            items.append(ChecklistItem(id=item_id, category=category, description=description))

    minimum_level = ForestLevel(policy.minimum_forest_functional_level)
    for forest in environment.forests:
        if _FOREST_LEVEL_ORDER.index(forest.functional_level) < _FOREST_LEVEL_ORDER.index(minimum_level):
            add(
                f"forest-level-{_slug(forest.name)}",
                ChecklistCategory.IDENTITY,
                f"Raise the functional level of forest '{forest.name}' from Windows Server "
                f"{forest.functional_level.value} to Windows Server {minimum_level.value} or later.",
            )

    multi_forest = len(environment.forests) > 1
    if scope.identity_model is IdentityModel.FEDERATED:
        if multi_forest:
            notes.append(
                "AD FS is out of scope for every multi-forest configuration: identities will be "
                "synchronized with password hash sync, and no AD FS tasks are planned."
            )
        elif environment.adfs_version is None or not version_at_least(
            environment.adfs_version.value, policy.minimum_adfs_version
        ):
            found = environment.adfs_version.value if environment.adfs_version else "none"
            add(
                "adfs-version",
                ChecklistCategory.IDENTITY,
                f"Federated identities need AD FS {policy.minimum_adfs_version} or later "
                f"(Windows Server 2012 R2 recommended); found: {found}.",
            )
    if scope.identity_model is not IdentityModel.CLOUD and not environment.forests:
        add(
            "forest-inventory",
            ChecklistCategory.IDENTITY,
            "Describe the on-premises Active Directory forests to be synchronized.",
        )
    if environment.custom_sync_rules:
        notes.append("Custom synchronization-rule extensions are out of scope for FastTrack.")

    if scope.mdm_authority is MdmAuthority.CONFIGMGR:
        minimum_cm = ConfigMgrVersion(policy.minimum_configmgr_version)
        version = environment.configmgr_version
        if version is None or _CONFIGMGR_ORDER.index(version) < _CONFIGMGR_ORDER.index(minimum_cm):
            add(
                "configmgr-version",
                ChecklistCategory.INFRASTRUCTURE,
                f"Hybrid management needs Configuration Manager {minimum_cm.value} or later; found: "
                f"{version.value if version else 'none'}.",
            )
            notes.append("Setting up or upgrading Configuration Manager is out of scope for FastTrack.")

    for browser in environment.browsers:
        minimum = policy.supported_browsers.get(browser.name)
        if minimum is None or not version_at_least(browser.version, minimum):
            supported = ", ".join(f"{name} {version}+" for name, version in policy.supported_browsers.items())
            add(
                f"browser-{_slug(browser.name)}-{_slug(browser.version)}",
                ChecklistCategory.BROWSER,
                f"Replace or update browser {browser.name} {browser.version} (supported: {supported}).",
            )

    for client in environment.client_os:
        if client.platform == "windows_pc":
            if client.version.lower() not in policy.pc_client_windows_versions:
                supported = ", ".join(f"Windows {release}" for release in policy.pc_client_windows_versions)
                add(
                    f"client-os-windows-pc-{_slug(client.version)}",
                    ChecklistCategory.CLIENT_OS,
                    f"Upgrade PCs running Windows {client.version}: the Intune PC client supports {supported}.",
                )
            continue
        support = policy.mdm_platforms.get(client.platform)
        if support is None or not version_at_least(client.version, support.minimum_version):
            needed = f"{support.label} {support.minimum_version} or later" if support else "a supported platform"
            add(
                f"client-os-{_slug(client.platform)}-{_slug(client.version)}",
                ChecklistCategory.CLIENT_OS,
                f"Update devices on {client.platform} {client.version}: enrollment needs {needed}.",
            )

    gap_counts: dict[GapCategory, int] = {}
    for gap in environment.gaps:
        gap_counts[gap.category] = gap_counts.get(gap.category, 0) + 1
        add(
            f"{gap.category.value}-{gap_counts[gap.category]}",
            ChecklistCategory(gap.category.value),
            gap.description,
        )
    return items, notes


# ---------------------------------------------------------------- enable plans (R6, R8, R9)


def _task(stage: TaskStage, task_id: str, title: str, owner: Owner, needs: TaskNeeds | None = None) -> EnableTask:
    return EnableTask(id=f"{stage.value}.{task_id}", stage=stage, title=title, owner=owner, needs=needs)


def core_tasks(scope: Scope, environment: SourceEnvironment | None) -> list[EnableTask]:
    core = TaskStage.CORE
    tasks = [
        _task(core, "activate_tenant", "Activate the tenant and a test client", Owner.JOINT),
        _task(core, "add_domain", "Add the domain and verify ownership", Owner.JOINT),
        _task(core, "pilot_users", "Move pilot users", Owner.JOINT),
        _task(core, "network_ports", "Open TCP/IP ports, protocols and firewall rules", Owner.JOINT),
        _task(core, "dns", "Configure DNS records", Owner.JOINT),
        _task(core, "validate_connectivity", "Validate connectivity", Owner.JOINT),
        _task(core, "identity_guidance", "Identity provisioning guidance", Owner.FASTTRACK),
    ]
    multi_forest = environment is not None and len(environment.forests) > 1
    if scope.identity_model is IdentityModel.CLOUD:
        tasks.append(_task(core, "create_identities", "Create cloud identities", Owner.JOINT))
        return tasks
    tasks += [
        _task(core, "install_directory_sync", "Install directory synchronization (Azure AD Connect)", Owner.JOINT),
    ]
    if scope.identity_model is IdentityModel.FEDERATED and not multi_forest:
        tasks += [
            _task(core, "adfs_farm", "Deploy the AD FS farm", Owner.JOINT),
            _task(core, "adfs_proxy", "Deploy the AD FS proxy and its SSL certificate", Owner.JOINT),
            _task(core, "convert_domain", "Convert the domain to federated", Owner.JOINT),
            _task(core, "test_sso", "Test single sign-on", Owner.JOINT),
        ]
    else:
        tasks.append(_task(core, "password_hash_sync", "Configure password hash synchronization", Owner.JOINT))
    return tasks


def intune_tasks(scope: Scope) -> list[EnableTask]:
    intune = TaskStage.INTUNE
    customer = Owner.CUSTOMER
    tasks = [
        _task(intune, "assign_licenses", "Assign Intune licenses", customer),
        _task(intune, "configure_identities", "Configure identities for Intune", customer),
        _task(intune, "add_users", "Add users", customer),
        _task(intune, "admin_roles", "Assign IT admin roles", customer),
        _task(intune, "groups", "Create user and device groups", customer),
    ]
    goals = set(scope.goals)
    if Goal.MDM in goals:
        if scope.mdm_authority is MdmAuthority.CONFIGMGR:
            tasks.append(
                _task(intune, "mdm.authority", "Connect Configuration Manager and set it as MDM authority", customer)
            )
        else:
            tasks.append(_task(intune, "mdm.authority", "Set Intune as the MDM authority", customer))
        tasks += [
            _task(intune, "mdm.test_groups", "Create test groups", customer),
            _task(intune, "mdm.deploy_apps", "Deploy the selected apps (web or deep link)", customer, TaskNeeds.APP),
            _task(intune, "mdm.conditional_access", "Configure conditional access", customer),
            _task(intune, "mdm.email_profiles", "Configure email profiles", customer),
        ]
        if scope.exchange_on_premises:
            tasks.append(_task(intune, "mdm.exchange_connector", "Install the Exchange connector", customer))
        tasks += [
            _task(intune, "mdm.enroll_test_devices", "Enroll the test devices", customer, TaskNeeds.TEST_DEVICE),
            _task(intune, "mdm.inventory_reports", "Review inventory reports", customer),
        ]
    if Goal.MAM in goals:
        tasks += [
            _task(intune, "mam.policies", "Configure MAM policies per platform", customer),
            _task(intune, "mam.conditional_access", "Configure conditional access for managed apps", customer),
            _task(intune, "mam.target_groups", "Target user groups", customer),
            _task(intune, "mam.usage_reports", "Review app usage reports", customer),
        ]
    if Goal.PC_MANAGEMENT in goals:
        tasks += [
            _task(intune, "pc.install_client", "Install the Intune client software where needed", customer),
            _task(intune, "pc.reports", "Review software and hardware reports", customer),
        ]
    return tasks
