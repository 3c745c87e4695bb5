"""The English of what the rules find and plan: checklist items, notes on the
scope, why a purchase does not qualify, display names and the Enable tasks.

Registered in the same catalog as the mail (``fasttrack/wording/source.py``
imports this module)."""

from __future__ import annotations

from fasttrack.wording.entries import entry, plural_entry

# ------------------------------------------------------------------ checklist items
entry("items.forest_level",
      "Raise the functional level of forest ‘{forest}’ from Windows Server {found} to Windows Server {minimum} "
      "or later.")
entry("items.adfs_version",
      "Upgrade AD FS from {found} to {minimum} or later for federated identities (Windows Server 2012 R2 "
      "recommended).")
entry("items.adfs_version.none",
      "Deploy AD FS {minimum} or later for federated identities (Windows Server 2012 R2 recommended); no "
      "installation was found.")
entry("items.forest_inventory", "Describe the on-premises Active Directory forests to be synchronized.")
entry("items.configmgr_version",
      "Upgrade Configuration Manager from {found} to {minimum} or later for hybrid management.")
entry("items.configmgr_version.none",
      "Install Configuration Manager {minimum} or later for hybrid management; no installation was found.")
# Translators: when the minimum is Configuration Manager's current branch, which is not a version.
entry("items.configmgr_version.current_branch",
      "Upgrade Configuration Manager from {found} to Current Branch for hybrid management.")
entry("items.configmgr_version.current_branch.none",
      "Install Configuration Manager (Current Branch) for hybrid management; no installation was found.")
# Translators: {supported} is a list such as "Microsoft Edge 12, Google Chrome 45 and Safari 8".
entry("items.browser", "Update or replace {browser} {version} (minimum supported versions: {supported}).")
# Translators: {release} and {supported} are Windows releases, e.g. "Windows XP", "Windows Vista, Windows 7 and …".
entry("items.pc_client_os", "Upgrade the PCs running {release}: the Intune PC client supports {supported}.")
entry("items.mdm_client_os", "Update the devices running {platform} {version}: enrollment requires {needed}.")
entry("items.mdm_client_os.none",
      "Update or replace the devices running {platform} {version}: Intune cannot enroll devices on this platform.")
# Translators: a product and the lowest version supported, e.g. "Chrome 45 or later".
entry("values.or_later", "{product} {version} or later")

# ------------------------------------------------------------------ notes on the scope
entry("notes.adfs_multi_forest",
      "AD FS is out of scope for any multi-forest configuration: identities will be synchronized with password "
      "hash synchronization, and no AD FS tasks are planned.")
entry("notes.custom_sync_rules", "Custom synchronization-rule extensions are out of scope for FastTrack.")
entry("notes.configmgr_out_of_scope", "Setting up or upgrading Configuration Manager is out of scope for FastTrack.")

# ------------------------------------------------------------------ why a purchase does not qualify, or why it closed
entry("reasons.plan_not_eligible", "{plan} does not include the benefit (eligible plans: {eligible}).")
plural_entry("reasons.too_few_licenses", "The purchase has only one license; the benefit needs at least {minimum}.",
             "The purchase has {licenses} licenses; the benefit needs at least {minimum}.", "licenses")
entry("reasons.not_new_subscription",
      "The benefit applies to a new subscription; this purchase extends an existing one.")
entry("reasons.window_ended", "The onboarding window ended before Intune was enabled.")

# ------------------------------------------------------------------ display names
# Today's product names, as a customer knows them; the seed's (Enterprise Mobility Suite, Azure
# Active Directory Premium, Mac OS X) stay the plans' and platforms' ids and the domain notes' words.
entry("names.plan.intune", "Microsoft Intune")
entry("names.plan.enterprise_mobility_suite", "Enterprise Mobility + Security")
entry("names.plan.enterprise_cloud_suite", "Enterprise Cloud Suite")
entry("names.plan.office_365_e3", "Office 365 Enterprise E3")
entry("names.plan.azure_ad_premium", "Microsoft Entra ID P1 or P2")
entry("names.browser.internet_explorer", "Internet Explorer")
entry("names.browser.edge", "Microsoft Edge")
entry("names.browser.chrome", "Google Chrome")
entry("names.browser.firefox", "Mozilla Firefox")
entry("names.browser.safari", "Safari")
entry("names.platform.ios", "iOS")
entry("names.platform.android", "Android")
entry("names.platform.windows_phone", "Windows Phone")
entry("names.platform.windows_rt", "Windows RT")
entry("names.platform.windows_pc_mdm", "Windows")
entry("names.platform.macos", "macOS")
entry("names.windows.xp", "Windows XP")
entry("names.windows.vista", "Windows Vista")
entry("names.windows.7", "Windows 7")
entry("names.windows.8", "Windows 8")
entry("names.windows.8.1", "Windows 8.1")
entry("names.windows.10", "Windows 10")
entry("names.configmgr.current branch", "Current Branch")

# ------------------------------------------------------------------ Enable tasks
entry("tasks.core.activate_tenant", "Activate the tenant and a test client")
entry("tasks.core.add_domain", "Add the domain and verify ownership")
entry("tasks.core.pilot_users", "Move pilot users")
entry("tasks.core.network_ports", "Open the required TCP/IP ports and protocols, and configure the firewall rules")
entry("tasks.core.dns", "Configure the DNS records")
entry("tasks.core.validate_connectivity", "Validate connectivity")
entry("tasks.core.identity_guidance", "Provide identity provisioning guidance")
entry("tasks.core.create_identities", "Create the cloud identities")
entry("tasks.core.install_directory_sync", "Install directory synchronization (Microsoft Entra Connect)")
entry("tasks.core.password_hash_sync", "Configure password hash synchronization")
entry("tasks.core.adfs_farm", "Deploy the AD FS farm")
entry("tasks.core.adfs_proxy", "Deploy the AD FS proxy and its SSL certificate")
entry("tasks.core.convert_domain", "Convert the domain to federated")
entry("tasks.core.test_sso", "Test single sign-on")
entry("tasks.intune.assign_licenses", "Assign the Intune licenses")
entry("tasks.intune.configure_identities", "Configure identities for Intune")
entry("tasks.intune.add_users", "Add users")
entry("tasks.intune.admin_roles", "Assign the IT admin roles")
entry("tasks.intune.groups", "Create the user and device groups")
entry("tasks.intune.mdm.authority", "Set Intune as the MDM authority")
entry("tasks.intune.mdm.authority_configmgr", "Connect Configuration Manager and set it as the MDM authority")
entry("tasks.intune.mdm.test_groups", "Create the test groups")
entry("tasks.intune.mdm.deploy_apps", "Deploy the selected apps (web link or deep link)")
entry("tasks.intune.mdm.conditional_access", "Configure conditional access")
entry("tasks.intune.mdm.email_profiles", "Configure the email profiles")
entry("tasks.intune.mdm.exchange_connector", "Install the Exchange connector")
entry("tasks.intune.mdm.enroll_test_devices", "Enroll the test devices")
entry("tasks.intune.mdm.inventory_reports", "Review the inventory reports")
entry("tasks.intune.mam.policies", "Configure the MAM policies for each platform")
entry("tasks.intune.mam.conditional_access", "Configure conditional access for managed apps")
entry("tasks.intune.mam.target_groups", "Target the user groups")
entry("tasks.intune.mam.usage_reports", "Review the app usage reports")
entry("tasks.intune.pc.install_client", "Install the Intune client software where needed")
entry("tasks.intune.pc.reports", "Review the software and hardware reports")
