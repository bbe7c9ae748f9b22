"""`l10n serve`: the built site, rebuilt as catalogs are saved, with findings and review.

guard (what a request may ask), affected (which pages a saved file changes), findings
(checks of the changed catalogs), annotate and inject (what only a served page carries),
review (the live review sheet and its approvals), builder (rebuilds one at a time),
events (reload notices), app (the routes), server (the socket, Uvicorn and signals).
"""
