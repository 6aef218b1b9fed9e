"""OpenAPI helpers shared by the risk API and its FilterSets."""


def choice_schema(choices, *, blank: bool = False) -> dict:
    """A string restricted by a pattern rather than an enum: the same words (``status``, ``level``) name
    different choice sets across the API, and shared enum components would collide by name."""
    values = [value for value, _ in choices]
    optional = "?" if blank else ""
    return {
        "type": "string",
        "pattern": f"^({'|'.join(values)}){optional}$",
        "description": f"One of: {', '.join(values)}.",
    }
