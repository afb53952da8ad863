"""Channel connectors: post a statement to a webhook or a Mastodon-compatible server.

A connector either returns where the post is, or raises: `TransientError` when trying again
later may work (a 5xx, a timeout, no connection), `PermanentError` when it will not (a 4xx, an
address crisisdesk sends nothing to). Every post goes through crisisdesk.outbound, and an error
keeps the status and our own words, never the remote's body.
Both carry the publication's idempotency key, so a receiver can drop a repeat. A connector sends
the publication's frozen text (what was approved), never the statement's text of the moment.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass

import requests

from crisisdesk import outbound
from incidents.models import Channel, Publication

TIMEOUT_SECONDS = (5, 15)  # connect, read
SIGNATURE_HEADER = "X-Crisisdesk-Signature"


class ConnectorError(Exception):
    pass


class TransientError(ConnectorError):
    pass


class PermanentError(ConnectorError):
    pass


@dataclass(frozen=True)
class Sent:
    external_id: str
    external_url: str


def send(publication: Publication) -> Sent:
    channel = publication.channel
    if channel.kind == Channel.Kind.WEBHOOK:
        return _send_webhook(publication)
    if channel.kind == Channel.Kind.MASTODON:
        return _send_mastodon(publication)
    raise PermanentError(f"A {channel.kind} channel is not sent by a connector.")


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _send_webhook(publication: Publication) -> Sent:
    statement = publication.statement
    body = json.dumps(
        {
            "publication": publication.pk,
            "statement": statement.pk,
            "incident": statement.incident_id,
            "organization": statement.incident.organization.slug,
            "language": statement.language,
            "revision": publication.revision,
            "text": publication.body,
        },
        ensure_ascii=False,
    ).encode()
    response = _post(
        publication.channel.url,
        data=body,
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: webhook_signature(publication.channel.secret, body),
            "Idempotency-Key": publication.idempotency_key,
        },
    )
    answer = _json(response)
    return Sent(external_id=str(answer.get("id", "")), external_url=str(answer.get("url", "")))


def _send_mastodon(publication: Publication) -> Sent:
    channel, statement = publication.channel, publication.statement
    response = _post(
        channel.url.rstrip("/") + "/api/v1/statuses",
        json={"status": publication.body, "language": statement.language, "visibility": "public"},
        headers={
            "Authorization": f"Bearer {channel.access_token}",
            "Idempotency-Key": publication.idempotency_key,
        },
    )
    answer = _json(response)
    if "id" not in answer:
        raise PermanentError("The server answered without the id of the post.")
    return Sent(external_id=str(answer["id"]), external_url=str(answer.get("url") or ""))


def _post(url: str, **kwargs) -> requests.Response:
    try:
        response = outbound.request("POST", url, timeout=TIMEOUT_SECONDS, allow_redirects=False, **kwargs)
    except outbound.Refused as error:
        raise PermanentError(str(error)) from error
    except outbound.Unreachable as error:
        raise TransientError(str(error)) from error
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientError(outbound.status_error(response))
    if response.status_code >= 300:
        raise PermanentError(outbound.status_error(response))
    return response


def _json(response: requests.Response) -> dict:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
