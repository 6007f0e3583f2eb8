"""elsmart: the installer portal and work-order system, over SOAP 1.1 with gridhub's own WSDL.

Inbound, gridhub exposes GridhubService (SubmitNotification, ResubmitNotification,
SubmitCompletion, CancelCase, RequestDeletion, AddNote, AddAttachment, LookupFacility) behind
HTTP Basic; outbound it calls the portal's PortalService (UpdateStatus, AddNote,
UpdateSideTrack, FacilityLookupAnswer) with zeep. The wire <-> canonical mapping is
``mapping.yaml``; the contract is ``schemas/contracts/elsmart/``.
"""

from __future__ import annotations

from connectors.elsmart.connector import ElsmartConnector

__all__ = ["ElsmartConnector"]
