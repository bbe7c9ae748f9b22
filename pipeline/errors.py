"""The errors the command line turns into plain messages and exit codes."""


class L10nError(Exception):
    """Bad usage or bad input: reported as one plain message, exit code 2."""

    exit_code = 2


class Problems(Exception):
    """The command ran and found problems (failed checks, a release gate): exit code 1."""

    exit_code = 1
