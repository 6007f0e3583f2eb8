"""E-mail templates: ``<status>.<language>.txt``, first line ``Subject: ...``, then the body.

``string.Template`` placeholders: $reference, $case_id, $installer, $company, $grid_owner,
$status_label, $reason (the reason note, or a pointer to the portal when it is internal),
$note (an optional note block). Adding a language is adding files here.
"""
