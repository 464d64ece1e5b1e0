"""The consent flow as an explicit state machine: pure, no I/O, unit-tested without Asterisk."""
