"""Side effects of an engagement: every one of them runs as an activity."""
