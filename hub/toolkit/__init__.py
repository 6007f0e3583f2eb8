"""The connector toolkit: everything a connector may use from the hub, and nothing else.

Connectors import from this package (and from ``schemas``) only; an import-linter contract in
pyproject.toml holds them to it, so the hub's insides can change without breaking a
connector, and a connector cannot reach into the store, the broker or the web.

    errors        the error hierarchy: transient (retry) vs permanent (dead letter)
    Connector     the plugin contract; Inbound, what a connector publishes through
    HttpClient    the one HTTP client (time-outs, size cap, no redirects, Idempotency-Key)
    failures      the one classifier: HTTP status, exception, SOAP fault -> hub error
    settings      ConnectorSettings, the base of each connector's pydantic settings model
    soap, xmlsafe SOAP 1.1 envelopes and faults; the hardened XML parser
    mapping       the declarative wire <-> canonical mapping (JSON and XML)
    EventPoller   polling a back end's feed with a persisted cursor
    Simulator     the base of the back-end simulators
    InboundServer the ASGI server (Starlette on uvicorn) every inbound endpoint runs on
    smtp_error    SMTP failures classified; set_header, mail headers written safely
"""

from hub import soap, xmlsafe
from hub.background import Background
from hub.connector import Connector, Inbound, idempotency_key
from hub.devcert import write_dev_certificate
from hub.errors import (
    ConfigurationError,
    GridhubError,
    InvalidMessage,
    PermanentError,
    RemoteFault,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
    TransientError,
)
from hub.intake import Intake, KeepsDocuments, Received
from hub.mapping import DocumentMap, FieldGroup, FieldMap, Mapping, load_mapping, to_canonical_value
from hub.mapping import get as get_field
from hub.mapping import put as put_field
from hub.mapping_json import JsonMapper
from hub.mapping_json import assign as json_assign
from hub.mapping_json import resolve as json_resolve
from hub.mapping_xml import XmlMapper, xml_text
from hub.poller import CursorStore, EventBatch, EventPoller, SetAside
from hub.simulator import FailureMode, Inbox, Simulator
from hub.smtp import smtp_error
from hub.toolkit import failures
from hub.toolkit.http import Answer, CappedSession, HttpClient
from hub.toolkit.inbound import Credentials, InboundServer, Request, Response
from hub.toolkit.mail import set_encoded_header, set_header
from hub.toolkit.settings import (
    ConnectorSettings,
    Count,
    Flag,
    HttpSettings,
    HttpUrl,
    Interval,
    ListenPort,
    OptionalListenPort,
    OptionalPath,
    OptionalText,
    OptionalUrl,
    Port,
    Seconds,
    Secret,
    Text,
)
from hub.xmlsafe import MAX_XML_BYTES, zeep_settings
from hub.xmlsafe import parse as parse_xml
from hub.xmlsafe import parser as xml_parser
from hub.xsd import XsdContract

__all__ = [
    "MAX_XML_BYTES",
    "Answer",
    "Background",
    "CappedSession",
    "ConfigurationError",
    "Connector",
    "ConnectorSettings",
    "Count",
    "Credentials",
    "CursorStore",
    "DocumentMap",
    "EventBatch",
    "EventPoller",
    "FailureMode",
    "FieldGroup",
    "FieldMap",
    "Flag",
    "GridhubError",
    "HttpClient",
    "HttpSettings",
    "HttpUrl",
    "Inbound",
    "InboundServer",
    "Inbox",
    "Intake",
    "Interval",
    "InvalidMessage",
    "JsonMapper",
    "KeepsDocuments",
    "ListenPort",
    "Mapping",
    "OptionalListenPort",
    "OptionalPath",
    "OptionalText",
    "OptionalUrl",
    "PermanentError",
    "Port",
    "Received",
    "RemoteFault",
    "Request",
    "Response",
    "Seconds",
    "Secret",
    "SetAside",
    "Simulator",
    "TargetRejected",
    "TargetServerError",
    "TargetTimeout",
    "TargetUnavailable",
    "Text",
    "TransientError",
    "XmlMapper",
    "XsdContract",
    "failures",
    "get_field",
    "idempotency_key",
    "json_assign",
    "json_resolve",
    "load_mapping",
    "parse_xml",
    "put_field",
    "set_encoded_header",
    "set_header",
    "smtp_error",
    "soap",
    "to_canonical_value",
    "write_dev_certificate",
    "xml_parser",
    "xml_text",
    "xmlsafe",
    "zeep_settings",
]
