"""The FastTrack Center benefit for Intune: models, policy and rules (pure, no I/O)."""
