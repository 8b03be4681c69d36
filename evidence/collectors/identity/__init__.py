"""Identity providers and code hosting as evidence: Okta, Google Workspace, Entra ID, GitHub.

Each provider's collector reads the provider's own audit-log exports and feeds the shared
``access.activity`` facts (sign-ins with their second factor, failures, lockouts, accounts
disabled, activity), so the access controls judge them like any other log; what only an
identity provider records (admin grants, credentials created, policy changes) is added under
the facts' ``identity`` key.
"""
