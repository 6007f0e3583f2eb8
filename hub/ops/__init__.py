"""Operations: the failure workbench (dead-letter replay and discard), connector pause, the
case trace view, ``gridhub status``, and the audit log of what operators did."""
