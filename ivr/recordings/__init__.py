"""The recording file, in one place: its name (`naming`), its header and length (`wav`), safe
paths, plain or encrypted, waiting for the PBX to close it and deleting it (`folder`, `files`).

MixMonitor picks the format from the file's extension. Only WAV is offered: it is the one format
whose header tells when the PBX closed the file and how long it is (16-bit, 8 kHz), so that
closing, length, hashing and encryption are all proven on it.

Import the submodules themselves: this package imports nothing, so that the configuration
(which checks the format) and the crypto package can both use it without a cycle.
"""
