"""Pure decisions of the compliance policies: profiles, recording, agents' keys."""
