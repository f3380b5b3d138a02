"""spendlog's Jinja report templates; shipped in the package as pipeline.templates and read with importlib.resources."""
