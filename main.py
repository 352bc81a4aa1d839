"""Open the Sesame desktop app: `python main.py [--archive DIR]`."""

import sys

if __name__ == "__main__":
    from desktop.app import main

    sys.exit(main(sys.argv[1:]))
