"""Privacy: the pseudonym register, its separable key, detection of personal data, encryption at rest.

Modules: `register` (entries), `replacing` (the one matcher that replaces names), `apply` (at export
and in place), `detect` (candidates for review), `keyfile` (the key written apart), `redact` (no
originals left behind), `encryption` (SQLCipher files), `sealed` (encrypted bundles). The workflow
is in docs/privacy.md.
"""
