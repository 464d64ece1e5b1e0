"""Consent interceptor for Asterisk: lawful call recording on the voice channel."""

__version__ = "0.1.0"
