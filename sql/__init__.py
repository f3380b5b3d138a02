"""spendlog's SQL, one folder per pipeline stage; shipped in the package as pipeline.sql and read with importlib.resources."""
