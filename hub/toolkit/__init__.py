"""What connectors may import from the hub: the connector toolkit."""
