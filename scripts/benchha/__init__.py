"""The Home Assistant side-by-side bench: ``python -m scripts.benchha`` (see ``__main__``)."""
