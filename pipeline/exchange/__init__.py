"""Exchange with agencies: XLIFF 1.2 and TMX 1.4b out, XLIFF back in."""
