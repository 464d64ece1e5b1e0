"""``ivr doctor``: checks an installation the way an administrator would, one finding a line."""
