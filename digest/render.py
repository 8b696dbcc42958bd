"""One person's digest email: the run's snapshot (already narrowed for them) plus their own stores' open items,
rendered by `mail.render` from `templates/email/digest.{txt,html}`, with the unsubscribe headers of RFC 8058."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from markupsafe import Markup

from i18n.formats import current_language
from mail.links import external_url
from mail.render import RenderedEmail, in_language, render_email, render_part
from models import Store
from security.tokens import sign, unsign
from workspace.attention import AttentionItem

UNSUBSCRIBE_PURPOSE = "digest-unsubscribe"
# An unsubscribe link must keep working long after the email was sent.
UNSUBSCRIBE_MAX_AGE = 400 * 24 * 3600


@dataclass(frozen=True)
class OwnStore:
    """One of the reader's stores in the region and what needs doing there (read from that store's schema)."""

    store: Store
    items: list[AttentionItem]


def unsubscribe_token(user_id: int) -> str:
    return sign(UNSUBSCRIBE_PURPOSE, {"u": user_id})


def user_from_token(token: str) -> int:
    """The user id a (signed) unsubscribe token names; raises `security.tokens.InvalidToken`."""
    payload = unsign(UNSUBSCRIBE_PURPOSE, token, max_age_seconds=UNSUBSCRIBE_MAX_AGE)
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise ValueError("malformed token")
    return payload["u"]


def subject_for(content: dict) -> str:
    # ASCII punctuation: a subject that needs no encoded words is cheaper to build and reads the same everywhere.
    label = content["period_label"].replace("–", "-")
    return f"TLP:{content['tlp']} {content['region']} digest - {label}"


_REGION_PARTS: OrderedDict[tuple, tuple[str, Markup]] = OrderedDict()
_REGION_PARTS_MAX = 64


def _region_part(content: dict, feed_url: str | None) -> tuple[str, Markup]:
    """The region-wide sections, rendered once per distinct (snapshot as narrowed, feed link) and reused: in a
    run they differ only by the reader's incident types and the store their links open."""
    sections = tuple(tuple(i["id"] for i in content[s]) for s in ("patterns", "police", "bulletins"))
    key = (
        content.get("region_id"),
        content["period"],
        content.get("built_at"),
        sections,
        tuple(r["type"] for r in content["trend"]["rows"]),
        feed_url,
    )
    key = (*key, current_language())  # the region's part is rendered once per (region, language)
    part = _REGION_PARTS.get(key)
    if part is None:
        part = render_part("digest_region", c=content, feed_url=feed_url)
        _REGION_PARTS[key] = part
        if len(_REGION_PARTS) > _REGION_PARTS_MAX:
            _REGION_PARTS.popitem(last=False)
    return part


def render_digest(
    content: dict,
    *,
    user_id: int | None,
    stores: list[OwnStore],
    preview_note: str | None = None,
    language: str | None = None,
) -> tuple[RenderedEmail, dict[str, str]]:
    """The email and its extra headers. `content` comes from `digest.content.for_reader`; with `user_id` None (an
    admin's preview) there are no unsubscribe links."""
    feed_url = external_url("feed.index", store_slug=stores[0].store.slug) if stores else None
    own = [
        {
            "name": own.store.name,
            "todo": [
                {
                    "title": item.title,
                    "detail": item.detail,
                    "high": item.severity == "high",
                    "url": external_url(item.endpoint, store_slug=own.store.slug, **item.values),
                }
                for item in own.items
            ],
            "dashboard_url": external_url("store.dashboard", store_slug=own.store.slug),
        }
        for own in stores
    ]
    headers: dict[str, str] = {}
    unsubscribe_url = None
    if user_id is not None:
        unsubscribe_url = external_url("digest.unsubscribe", token=unsubscribe_token(user_id))
        headers = {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"<region-{content.get('region_id', 0)}.digest.loupe>",
        }
    with in_language(language):  # the reader's language (None: the current one, e.g. the admin's preview)
        region_text, region_html = _region_part(content, feed_url)
    email = render_email(
        "digest",
        subject_for(content),
        c=content,
        region_text=region_text,
        region_html=region_html,
        own_stores=own,
        feed_url=feed_url,
        unsubscribe_url=unsubscribe_url,
        preferences_url=external_url("alerts.preferences"),
        preview_note=preview_note,
        language=language,
    )
    return email, headers
