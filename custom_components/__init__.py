"""Custom integrations (lets tests import ``custom_components.xgimi_projector``)."""
