import sys

from lvscc.cli import main

sys.exit(main())
