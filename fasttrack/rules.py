"""The benefit's rules as pure functions: eligibility, assessment, enable plans."""

from __future__ import annotations

import re

from fasttrack.messages import lookup, phrase
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
    Phrase,
    Purchase,
    Scope,
    Service,
    SourceEnvironment,
    TaskNeeds,
    TaskStage,
)
from fasttrack.policy import BenefitPolicy, version_at_least
from fasttrack.wording.values import NOT_FOUND, RAW_LIST_SEPARATOR

# ---------------------------------------------------------------- R1 eligibility


def check_eligibility(purchase: Purchase, policy: BenefitPolicy) -> EligibilityVerdict:
    """R1: a new subscription of at least ``minimum_licenses`` of an eligible plan.

    The sources do not say whether the threshold counts per tenant or per
    purchase; we count per purchase (the eligibility page speaks of "a new
    subscription of 150 or more licenses").
    """
    reasons = []
    if purchase.plan not in policy.eligible_plans:
        eligible = RAW_LIST_SEPARATOR.join(plan.value for plan in policy.eligible_plans)
        reasons.append(phrase("reasons.plan_not_eligible", plan=purchase.plan.value, eligible=eligible))
    if purchase.licenses < policy.minimum_licenses:
        reasons.append(phrase("reasons.too_few_licenses", licenses=purchase.licenses, minimum=policy.minimum_licenses))
    if policy.requires_new_subscription and not purchase.new_subscription:
        reasons.append(phrase("reasons.not_new_subscription"))
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
) -> tuple[list[ChecklistItem], list[Phrase]]:
    """The remediation checklist and the scope notes for a submitted environment."""
    items: list[ChecklistItem] = []
    notes: list[Phrase] = []

    def add(item_id: str, category: ChecklistCategory, key: str, **values: str) -> None:
        if all(existing.id != item_id for existing in items):
            words = phrase(f"items.{key}", **values)
            items.append(ChecklistItem(id=item_id, category=category, description=words.text, phrase=words))

    minimum_level = ForestLevel(policy.minimum_forest_functional_level)
    for forest in environment.forests:
        if _FOREST_LEVEL_ORDER.index(forest.functional_level) < _FOREST_LEVEL_ORDER.index(minimum_level):
            add(
                f"forest-level-{_slug(forest.name)}",
                ChecklistCategory.IDENTITY,
                "forest_level",
                forest=forest.name,
                found=forest.functional_level.value,
                minimum=minimum_level.value,
            )

    multi_forest = len(environment.forests) > 1
    if scope.identity_model is IdentityModel.FEDERATED:
        if multi_forest:
            notes.append(phrase("notes.adfs_multi_forest"))
        elif environment.adfs_version is None or not version_at_least(
            environment.adfs_version.value, policy.minimum_adfs_version
        ):
            found = environment.adfs_version.value if environment.adfs_version else NOT_FOUND
            add("adfs-version", ChecklistCategory.IDENTITY, "adfs_version", minimum=policy.minimum_adfs_version,
                found=found)
    if scope.identity_model is not IdentityModel.CLOUD and not environment.forests:
        add("forest-inventory", ChecklistCategory.IDENTITY, "forest_inventory")
    if environment.custom_sync_rules:
        notes.append(phrase("notes.custom_sync_rules"))

    if scope.mdm_authority is MdmAuthority.CONFIGMGR:
        minimum_cm = ConfigMgrVersion(policy.minimum_configmgr_version)
        version = environment.configmgr_version
        if version is None or _CONFIGMGR_ORDER.index(version) < _CONFIGMGR_ORDER.index(minimum_cm):
            add("configmgr-version", ChecklistCategory.INFRASTRUCTURE, "configmgr_version", minimum=minimum_cm.value,
                found=version.value if version else NOT_FOUND)
            notes.append(phrase("notes.configmgr_out_of_scope"))

    for browser in environment.browsers:
        minimum = policy.supported_browsers.get(browser.name)
        if minimum is None or not version_at_least(browser.version, minimum):
            supported = RAW_LIST_SEPARATOR.join(f"{name} {version}+" for name, version in policy.supported_browsers.items())
            add(f"browser-{_slug(browser.name)}-{_slug(browser.version)}", ChecklistCategory.BROWSER, "browser",
                browser=browser.name, version=browser.version, supported=supported)

    for client in environment.client_os:
        if client.platform == "windows_pc":
            if client.version.lower() not in policy.pc_client_windows_versions:
                supported = RAW_LIST_SEPARATOR.join(f"Windows {release}" for release in policy.pc_client_windows_versions)
                add(f"client-os-windows-pc-{_slug(client.version)}", ChecklistCategory.CLIENT_OS, "pc_client_os",
                    version=client.version, supported=supported)
            continue
        support = policy.mdm_platforms.get(client.platform)
        if support is None or not version_at_least(client.version, support.minimum_version):
            needed = f"{support.label} {support.minimum_version}+" if support else NOT_FOUND
            add(f"client-os-{_slug(client.platform)}-{_slug(client.version)}", ChecklistCategory.CLIENT_OS,
                "mdm_client_os", platform=client.platform, version=client.version, needed=needed)

    gap_counts: dict[GapCategory, int] = {}
    for gap in environment.gaps:
        gap_counts[gap.category] = gap_counts.get(gap.category, 0) + 1
        # The customer's own words: shown as written, in every language.
        items.append(
            ChecklistItem(
                id=f"{gap.category.value}-{gap_counts[gap.category]}",
                category=ChecklistCategory(gap.category.value),
                description=gap.description,
            )
        )
    return items, notes


# ---------------------------------------------------------------- enable plans (R6, R8, R9)


def _task(
    stage: TaskStage, task_id: str, owner: Owner, needs: TaskNeeds | None = None, text_key: str | None = None
) -> EnableTask:
    full_id = f"{stage.value}.{task_id}"
    text_key = text_key or full_id
    return EnableTask(
        id=full_id, stage=stage, title=lookup("en", f"tasks.{text_key}"), owner=owner, needs=needs, text_key=text_key
    )


def core_tasks(scope: Scope, environment: SourceEnvironment | None) -> list[EnableTask]:
    core = TaskStage.CORE
    tasks = [
        _task(core, "activate_tenant", Owner.JOINT),
        _task(core, "add_domain", Owner.JOINT),
        _task(core, "pilot_users", Owner.JOINT),
        _task(core, "network_ports", Owner.JOINT),
        _task(core, "dns", Owner.JOINT),
        _task(core, "validate_connectivity", Owner.JOINT),
        _task(core, "identity_guidance", Owner.FASTTRACK),
    ]
    multi_forest = environment is not None and len(environment.forests) > 1
    if scope.identity_model is IdentityModel.CLOUD:
        tasks.append(_task(core, "create_identities", Owner.JOINT))
        return tasks
    tasks += [
        _task(core, "install_directory_sync", Owner.JOINT),
    ]
    if scope.identity_model is IdentityModel.FEDERATED and not multi_forest:
        tasks += [
            _task(core, "adfs_farm", Owner.JOINT),
            _task(core, "adfs_proxy", Owner.JOINT),
            _task(core, "convert_domain", Owner.JOINT),
            _task(core, "test_sso", Owner.JOINT),
        ]
    else:
        tasks.append(_task(core, "password_hash_sync", Owner.JOINT))
    return tasks


def intune_tasks(scope: Scope) -> list[EnableTask]:
    intune = TaskStage.INTUNE
    customer = Owner.CUSTOMER
    tasks = [
        _task(intune, "assign_licenses", customer),
        _task(intune, "configure_identities", customer),
        _task(intune, "add_users", customer),
        _task(intune, "admin_roles", customer),
        _task(intune, "groups", customer),
    ]
    goals = set(scope.goals)
    if Goal.MDM in goals:
        if scope.mdm_authority is MdmAuthority.CONFIGMGR:
            tasks.append(
                _task(intune, "mdm.authority", customer, text_key="intune.mdm.authority_configmgr")
            )
        else:
            tasks.append(_task(intune, "mdm.authority", customer))
        tasks += [
            _task(intune, "mdm.test_groups", customer),
            _task(intune, "mdm.deploy_apps", customer, TaskNeeds.APP),
            _task(intune, "mdm.conditional_access", customer),
            _task(intune, "mdm.email_profiles", customer),
        ]
        if scope.exchange_on_premises:
            tasks.append(_task(intune, "mdm.exchange_connector", customer))
        tasks += [
            _task(intune, "mdm.enroll_test_devices", customer, TaskNeeds.TEST_DEVICE),
            _task(intune, "mdm.inventory_reports", customer),
        ]
    if Goal.MAM in goals:
        tasks += [
            _task(intune, "mam.policies", customer),
            _task(intune, "mam.conditional_access", customer),
            _task(intune, "mam.target_groups", customer),
            _task(intune, "mam.usage_reports", customer),
        ]
    if Goal.PC_MANAGEMENT in goals:
        tasks += [
            _task(intune, "pc.install_client", customer),
            _task(intune, "pc.reports", customer),
        ]
    return tasks
