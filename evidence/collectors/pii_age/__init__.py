"""[pii-age] The real age of PII in the application's database, measured by aggregate queries."""
