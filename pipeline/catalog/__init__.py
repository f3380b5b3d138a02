"""The bundled price catalogue (prices.csv) and model aliases (model_aliases.csv), read with importlib.resources."""
