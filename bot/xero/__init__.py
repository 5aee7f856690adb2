"""Everything that talks to Xero: OAuth, the token manager, the gateway around xero-python, reference data."""
