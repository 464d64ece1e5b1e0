"""The running service: watches the PBX over AMI, runs each call's consent machine, acts."""
