"""What the system writes on a timeline, kept as a message and its values, so that every reader
sees it in their own language. The entry's body keeps an English copy for search and the record.

    entry_write(..., message=say(gettext_noop("%(user)s is now %(role)s."), user=name, role=role(r.name)))
"""

from django.utils import translation
from django.utils.translation import gettext


def say(msgid: str, *, note: str = "", **params) -> dict:
    """`note` is someone's own words (a comment), added as written after the message."""
    return {"msgid": msgid, "params": params, "note": note.strip()}


def say_count(count: int, singular: str, plural: str, **params) -> dict:
    """English and Dutch share their plural rule (one / other), so the msgid is chosen here."""
    return say(singular if count == 1 else plural, count=count, **params)


def status(value: str) -> dict:
    return {"status": value}


def severity(value: str) -> dict:
    return {"severity": value}


def role(name: str) -> dict:
    return {"role": name}


def time(moment) -> dict:
    """A moment, shown as HH:MM in the reader's time zone."""
    return {"time": moment.isoformat()}


def people(pairs) -> dict:
    """(person's name, role name) pairs, shown as "Name (Role), …"."""
    return {"people": [[name, role_name] for name, role_name in pairs]}


def render(message: dict) -> str:
    """The message in the active language."""
    text = gettext(message["msgid"]) % {name: _value(value) for name, value in message["params"].items()}
    return f"{text} “{message['note']}”" if message.get("note") else text


def render_english(message: dict) -> str:
    with translation.override("en"):
        return render(message)


def _value(value):
    if not isinstance(value, dict):
        return value
    from incidents.models.incident import Incident  # the models import this module's users

    if "status" in value:
        return Incident.Status(value["status"]).label
    if "severity" in value:
        return Incident.Severity(value["severity"]).label
    if "role" in value:
        return gettext(value["role"])
    if "time" in value:
        from django.utils import timezone
        from django.utils.dateparse import parse_datetime

        return timezone.localtime(parse_datetime(value["time"])).strftime("%H:%M")
    if "msgid" in value:  # a message of its own, e.g. the reason a post was stopped
        return gettext(value["msgid"])
    if "people" in value:
        return ", ".join(f"{name} ({gettext(role_name)})" for name, role_name in value["people"])
    raise ValueError(f"Unknown timeline value {value!r}")
