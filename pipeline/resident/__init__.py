"""A resident `l10n`: one process per installation that has imported the tool and waits.

Starting Python and importing Click, Jinja2, Python-Markdown, Babel and the tool takes
longer than a translator's one-page rebuild itself.  After a command has run, `l10n`
leaves a process behind that has done those imports and nothing else; the next command
asks it for a fork of itself, which runs the command with the caller's arguments, folder,
environment and terminal, exactly as a fresh process would, and exits.  Each command
still gets a process of its own: nothing one run leaves in memory reaches the next.

`address` says where the process listens and whether it may be used, `client` is the
side a command runs on, `server` the process itself.
"""
