"""The site: pages, index, fonts, handouts and what is up to date."""
