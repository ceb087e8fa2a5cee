"""Reading what people give the tool: instance files (YAML) and change files."""
