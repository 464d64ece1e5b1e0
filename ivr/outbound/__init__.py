"""Outbound canvassing guard: the rules that decide, before anything rings, whether a call may
be placed (pure), the store of attempts, refusals, consents and opposition lists, and the
handshake with the dialplan's ``ivr-outbound`` context."""
