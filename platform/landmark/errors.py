"""Errors the command line reports as one short message and exit code 2 (bad input)."""


class UsageError(Exception):
    """The user's input (command line, config, plugin name, checkpoint path) is wrong.

    The message names what the user typed and what would be valid; ``landmark`` prints it
    without a traceback and exits with code 2, before anything is written.
    """
