"""Partner profiles: the schema, loading from YAML files, validation and versioning of
everything the gateway knows about one trading partner."""
