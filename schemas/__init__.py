"""The canonical model: the contract between gridhub's connectors. Import-light, no I/O.

identifiers  GSRN, GLN, personnummer, organisationsnummer, fødselsnummer, organisasjonsnummer
codes        status, installation/job types, side tracks, flags; sv and nb labels
case         the case (anmälan) and its parts; status  the status machine of both flows
payloads     one payload model per message type, status effects, parse_payload
projection   apply(state, envelope): the pure case projection; business_keys
errors       the contract's errors (InvalidMessage ...), the root of hub.errors
export       the JSON Schemas in schemas/json (`gridhub schemas export`)
"""
