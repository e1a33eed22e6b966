"""The Xiaoai / MQTT / webhook / mirror blueprints, one module per blueprint."""
