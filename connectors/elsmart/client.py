"""The SOAP client side: zeep on the shipped WSDL over the toolkit's HttpClient session (time-
outs, size cap, no redirects), every failure classified by the toolkit's one classifier.

The mapping produces an lxml body element; zeep parses it into its own objects against the
WSDL (a second, independent check of the contract) and sends it. A request that does not fit
the WSDL is an InvalidMessage (permanent); everything else is :mod:`hub.toolkit.failures`'.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import zeep
import zeep.exceptions
from lxml import etree
from tenacity import retry, retry_if_exception, stop_after_attempt
from zeep.transports import Transport

from connectors.elsmart.contract import NS, WSDL
from hub.toolkit import HttpClient, InvalidMessage, failures, zeep_settings

PORTAL_BINDING = f"{{{NS}}}PortalBinding"
GRIDHUB_BINDING = f"{{{NS}}}GridhubBinding"


class SoapCaller:
    """Calls one binding of the WSDL at ``url``; ``call(element)`` returns zeep's answer."""

    def __init__(self, http: HttpClient, *, binding: str = PORTAL_BINDING, wsdl: Path = WSDL
                 ) -> None:
        self.http = http
        self.url = http.base_url
        self.timeout = http.timeout
        transport = Transport(session=http.session(), timeout=http.timeout,
                              operation_timeout=http.timeout)
        self._client = zeep.Client(str(wsdl), transport=transport, settings=zeep_settings())
        self._service = self._client.create_service(binding, self.url)

    def call(self, element: etree._Element) -> Any:
        operation = etree.QName(element).localname
        where = f"elsmart {operation} at {self.url}"
        try:
            values = self._client.get_element(element.tag).parse(element, self._client.wsdl.types)
        except (zeep.exceptions.Error, LookupError) as exc:
            raise InvalidMessage(f"request does not fit the WSDL: {exc}",
                                 where=operation) from exc
        kwargs = {key: value for key, value in values.__values__.items() if value is not None}
        try:
            return self._send(operation, kwargs)
        except Exception as exc:
            raise failures.failure_of(exc, where=where, timeout=self.timeout,
                                      target="the portal") from exc

    # A kept-alive connection the server closed in between fails once: one quick retry.
    @retry(retry=retry_if_exception(failures.is_connection_reset), stop=stop_after_attempt(2),
           reraise=True)
    def _send(self, operation: str, kwargs: dict[str, Any]) -> Any:
        return getattr(self._service, operation)(**kwargs)
