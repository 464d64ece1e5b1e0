"""Live listening (ChanSpy) under the same consent as recording: who may listen to whom,
the service's answer to the dialplan, and the audit trail of every listen."""
