"""The extractor: turns the planned services into Lambda packages and a strangled monolith."""
