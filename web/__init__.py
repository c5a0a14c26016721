"""The Flask front end: search and cable pages over the ``search`` facade."""
