"""gettext catalogs: reading, merging and writing them as GNU gettext lays them out."""
