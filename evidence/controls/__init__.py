"""Controls: load the catalogues in policies/ and evaluate them against evidence."""
