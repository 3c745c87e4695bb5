"""The HTTP intake: purchases from commerce and assistance requests from the
FastTrack portal, signed with a shared secret each; operators' actions and
readings with bearer tokens. It starts engagements and applies actions through
the same paths as the `fasttrack` command."""
