"""What a browser sends when a form of a page is submitted, read from the page's HTML."""

from html.parser import HTMLParser

from .registry import FormBody

# Inputs a browser never sends on its own: buttons are sent only when clicked (see `submission`).
_NOT_SENT = {"submit", "button", "image", "reset", "file"}


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.fields: FormBody = []
        self.found = False
        self._in_form = False
        self._disabled_fieldsets = 0  # controls inside a disabled fieldset are not sent
        self._fieldsets = []  # whether each open fieldset is disabled
        self._textarea: tuple[str, list[str]] | None = None
        self._select: str | None = None

    def _sent(self, attributes) -> bool:
        return self._in_form and not self._disabled_fieldsets and "disabled" not in attributes and "name" in attributes

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == self.form_id:
            self._in_form = self.found = True
        elif tag == "fieldset" and self._in_form:
            disabled = "disabled" in attributes
            self._fieldsets.append(disabled)
            self._disabled_fieldsets += disabled
        elif tag == "input" and self._sent(attributes):
            kind = (attributes.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.fields.append((attributes["name"], attributes.get("value") or "on"))
            elif kind not in _NOT_SENT:
                self.fields.append((attributes["name"], attributes.get("value") or ""))
        elif tag == "textarea" and self._sent(attributes):
            self._textarea = (attributes["name"], [])
        elif tag == "select" and self._sent(attributes):
            self._select = attributes["name"]
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields.append((self._select, attributes.get("value") or ""))

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "fieldset" and self._in_form and self._fieldsets:
            self._disabled_fieldsets -= self._fieldsets.pop()
        elif tag == "textarea" and self._textarea:
            name, parts = self._textarea
            text = "".join(parts)
            # As in a browser, a newline right after <textarea> is not part of the value.
            self.fields.append((name, text.removeprefix("\r\n").removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_fields(html: str, form_id: str) -> FormBody:
    """The (name, value) pairs a browser would send for the form `form_id` as the page shows it.

    Text, hidden, number and URL inputs and textareas with their values, ticked checkboxes and
    radios, selected options; nothing disabled, no button. Raises LookupError if there is no such form.
    """
    reader = _FormReader(form_id)
    reader.feed(html)
    reader.close()
    if not reader.found:
        raise LookupError(f"The page has no form with id {form_id!r}.")
    return reader.fields


def with_value(fields: FormBody, name: str, value: str) -> FormBody:
    """The fields with `name` set to the single `value`, as when choosing another radio button."""
    changed, placed = [], False
    for field, current in fields:
        if field != name:
            changed.append((field, current))
        elif not placed:
            changed.append((name, value))
            placed = True
    return changed if placed else [*changed, (name, value)]


def value_of(fields: FormBody, name: str) -> str | None:
    return next((value for field, value in fields if field == name), None)
