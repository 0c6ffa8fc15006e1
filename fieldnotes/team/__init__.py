"""Team work: offline bundles, merging copies without loss, merge conflicts, inter-coder agreement,
settling disagreements, and noticing others' changes on a shared server. Headless (no Textual)."""
