"""`python -m tether.protocol.generate`."""

import sys

from tether.protocol.generate import main

sys.exit(main())
