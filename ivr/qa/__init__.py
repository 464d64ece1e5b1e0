"""QA tooling: real SIP callers and agents played by a carrier Asterisk, and checks on audio."""
