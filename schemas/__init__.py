"""The canonical model: the contract between gridhub's connectors. Import-light, no I/O."""
