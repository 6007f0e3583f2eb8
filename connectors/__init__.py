"""gridhub's connectors, one package per system. Found by the hub through entry points."""
