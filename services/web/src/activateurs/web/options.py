"""The options of selects and checkbox groups, escaped once: the longest lists (101 departments) are on the
busiest page, and a Jinja loop escaped every code and name again on each render."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

Choices = tuple[tuple[str, str], ...]  # (code, text) in display order: hashable, so cached per list


@lru_cache(maxsize=64)
def _option_tags(options: Choices) -> tuple[dict[str, int], tuple[str, ...]]:
    tags = tuple(f'<option value="{escape(code)}">{escape(text)}</option>' for code, text in options)
    return {code: index for index, (code, _) in enumerate(options)}, tags


def option_tags(options: Choices, selected: str = "") -> Markup:
    """Every <option>, the chosen one marked `selected`."""
    index, tags = _option_tags(options)
    chosen = index.get(selected)
    if chosen is None:
        return Markup("\n".join(tags))
    marked = list(tags)
    marked[chosen] = marked[chosen].replace("<option ", "<option selected ", 1)
    return Markup("\n".join(marked))


@lru_cache(maxsize=64)
def _checkbox_items(name: str, options: Choices, inline: bool) -> tuple[tuple[str, str, str], ...]:
    """(code, the unchecked box, the checked box) per option."""
    element = "fr-fieldset__element" + (" fr-fieldset__element--inline" if inline else "")
    items = []
    for number, (code, text) in enumerate(options, start=1):
        field_id = f"{escape(name)}-{number}"
        start = (f'<div class="{element}">\n  <div class="fr-checkbox-group">\n    <input name="{escape(name)}" '
                 f'id="{field_id}" type="checkbox" value="{escape(code)}"')
        end = f'>\n    <label class="fr-label" for="{field_id}">{escape(text)}</label>\n  </div>\n</div>'
        items.append((code, start + end, start + " checked" + end))
    return tuple(items)


def checkbox_items(name: str, options: Choices, chosen: object = (), inline: bool = False) -> Markup:
    """A DSFR checkbox per option (ids `name-1`, `name-2`…), the chosen ones checked."""
    picked = set(chosen) if chosen else set()  # type: ignore[call-overload]
    return Markup("\n".join(checked if code in picked else plain
                             for code, plain, checked in _checkbox_items(name, options, inline)))
