import sys

from ivr.cli.main import main

sys.exit(main())
