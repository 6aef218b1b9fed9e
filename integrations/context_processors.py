"""The "Import" button on every register's list page whose spreadsheet layout imports back."""


def import_link(request) -> dict:
    match = getattr(request, "resolver_match", None)
    if match is None or not match.url_name or not match.url_name.endswith("-list"):
        return {}
    if not getattr(request, "user", None) or not request.user.is_authenticated or request.organisation is None:
        return {}
    from aims.imports import all_importers
    from registry.views_import import import_url

    name = match.view_name
    importer = next((i for i in all_importers() if i.list_url_name == name), None)
    return {"import_url": import_url(request, importer.key)} if importer else {}
