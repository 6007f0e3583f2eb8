"""notify: e-mail (SMTP) to the installer responsible for a case, on the statuses the
installer company chose (approved, rejected pre-notification, rejected completion), in the
installer's language (sv/nb templates in ``templates/``), with the case reference and the
reason note. Outbound only; each sent mail is answered into the hub as ``installer.notified``.
"""

from __future__ import annotations

from connectors.notify.connector import NotifyConnector

__all__ = ["NotifyConnector"]
