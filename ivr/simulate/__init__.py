"""The QA call simulator: scenario files of callers over real SIP, checked from the outside.

``scenario`` reads and validates the TOML files, ``runner`` places the calls through the
carrier and watches the PBX, ``verdict`` compares what was expected with what was observed and
``report`` prints the table and writes the JSON and JUnit reports.
"""
