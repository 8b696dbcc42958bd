"""Photos shared with a bulletin (ANONYMIZATION.md rule 5): only when ticked and only at AMBER or stricter,
re-encoded with no EXIF/GPS, served in the feed only to the bulletin's region, gone on withdrawal or a move to GREEN."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from PIL import ExifTags, Image
from sqlalchemy.orm import Session, undefer

from anonymize import IncidentFacts, PersonDescription
from models import Association, IncidentPhoto, Role
from models.bulletin_photos import BulletinPhoto
from tests.admin.conftest import enrol, sign_in_with_code
from tests.bulletins.conftest import (
    add_incident,
    admin_client,
    bulletins,
    set_auto_publish,
    signed_in,
)
from tests.fixtures.web import post_form
from tests.workspace.test_uploads import GPS_IFD, gps_tagged_jpeg

FACTS = IncidentFacts(
    incident_type="casing",
    title="Two men watching the window",
    narrative="Two men photographed the window display from across the street.",
    occurred_at=datetime(2026, 3, 5, 14, 32, tzinfo=UTC),
    people=(PersonDescription(clothing="grey puffer jacket", build="stocky", behaviour="photographing the window"),),
)
ORIGINAL_NAME = "0123456789abcdef0123456789abcdef.jpg"


def _incident_with_gps_photo(in_store, store) -> int:
    incident_id = add_incident(in_store, store, FACTS)
    raw = gps_tagged_jpeg()

    def run(session):
        # As an older upload might have stored it: with its metadata (the share must not rely on the upload check).
        session.add(
            IncidentPhoto(
                incident_id=incident_id,
                stored_name=ORIGINAL_NAME,
                content_type="image/jpeg",
                width=64,
                height=48,
                byte_size=len(raw),
                data=raw,
            )
        )

    in_store(store, run)
    return incident_id


def _photos(engines, world) -> list[BulletinPhoto]:
    """The photos shared with this world's bulletins (the test database is shared by the tests)."""
    ids = [b.id for b in bulletins(engines, world.home.association.id)]
    with Session(engines.owner, expire_on_commit=False) as session:
        query = sa.select(BulletinPhoto).where(BulletinPhoto.bulletin_id.in_(ids)).order_by(BulletinPhoto.id)
        return list(session.scalars(query.options(undefer(BulletinPhoto.data))))


def _share(client, world, incident_id, tlp="AMBER", *, photos=True):
    data = {"tlp": tlp}
    if photos:
        data["share_photos"] = "y"
    return post_form(client, world.share_url(incident_id), data)


def test_a_gps_tagged_photo_is_shared_without_any_metadata_and_shown_to_the_region(
    app, engines, sharing_world, in_store
):
    world = sharing_world
    set_auto_publish(engines, world.home.association.id)
    incident_id = _incident_with_gps_photo(in_store, world.source)
    owner = signed_in(app, world.owner)
    preview = owner.get(world.share_url(incident_id)).get_data(as_text=True)
    assert 'name="share_photos"' in preview
    assert _share(owner, world, incident_id).status_code == 302

    [bulletin] = bulletins(engines, world.home.association.id)
    assert bulletin.photos_allowed
    [photo] = _photos(engines, world)
    assert photo.bulletin_id == bulletin.id and photo.content_type == "image/jpeg"
    assert photo.stored_name != ORIGINAL_NAME and photo.byte_size == len(photo.data)
    for marker in (b"Exif", b"GPS", b"SpyCam", b"secret-comment"):
        assert marker not in photo.data
    with Image.open(io.BytesIO(photo.data)) as stored:
        assert dict(stored.getexif()) == {} and stored.getexif().get_ifd(GPS_IFD) == {}
        assert stored.getexif().get(ExifTags.Base.Make) is None

    # A member of the same region sees it in the feed and can fetch it, served as an inert image.
    neighbour = signed_in(app, world.neighbour_user)
    url = f"/s/{world.neighbour.slug}/feed/photos/{photo.stored_name}"
    assert url in neighbour.get(f"/s/{world.neighbour.slug}/feed/").get_data(as_text=True)
    served = neighbour.get(url)
    assert served.status_code == 200 and served.data == photo.data
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Content-Disposition"].startswith("inline")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Cache-Control"] == "private, no-store"


def test_members_of_another_region_or_association_get_404(app, engines, sharing_world, in_store):
    world = sharing_world
    set_auto_publish(engines, world.home.association.id)
    incident_id = _incident_with_gps_photo(in_store, world.source)
    _share(signed_in(app, world.owner), world, incident_id, "AMBER+STRICT")
    [photo] = _photos(engines, world)
    for user, store in ((world.other_region_user, world.other_region_store), (world.outsider, world.outsider_store)):
        client = signed_in(app, user)
        assert client.get(f"/s/{store.slug}/feed/photos/{photo.stored_name}").status_code == 404
        assert photo.stored_name not in client.get(f"/s/{store.slug}/feed/").get_data(as_text=True)
        # Nor through a store of the bulletin's region that they are not a member of.
        assert client.get(f"/s/{world.neighbour.slug}/feed/photos/{photo.stored_name}").status_code == 404
    # An association admin (no store membership) and an anonymous visitor get nothing either.
    admin = admin_client(app, engines, world)
    assert admin.get(f"/s/{world.neighbour.slug}/feed/photos/{photo.stored_name}").status_code in (403, 404)
    anonymous = app.test_client().get(f"/s/{world.neighbour.slug}/feed/photos/{photo.stored_name}")
    assert anonymous.status_code in (302, 401, 404) and anonymous.data != photo.data
    neighbour = signed_in(app, world.neighbour_user)
    assert neighbour.get(f"/s/{world.neighbour.slug}/feed/photos/../{photo.stored_name}").status_code == 404
    assert neighbour.get(f"/s/{world.neighbour.slug}/feed/photos/{'0' * 32}.jpg").status_code == 404


def test_pending_bulletins_photos_are_not_served(app, engines, sharing_world, in_store):
    world = sharing_world
    incident_id = _incident_with_gps_photo(in_store, world.source)
    _share(signed_in(app, world.owner), world, incident_id)
    [bulletin] = bulletins(engines, world.home.association.id)
    assert bulletin.status == "pending"
    [photo] = _photos(engines, world)
    neighbour = signed_in(app, world.neighbour_user)
    assert neighbour.get(f"/s/{world.neighbour.slug}/feed/photos/{photo.stored_name}").status_code == 404


def test_green_shares_and_unticked_shares_store_no_photos(app, engines, sharing_world, in_store):
    world = sharing_world
    owner = signed_in(app, world.owner)
    green = _incident_with_gps_photo(in_store, world.source)
    green_preview = owner.get(world.share_url(green) + "?tlp=GREEN").get_data(as_text=True)
    assert 'name="share_photos"' not in green_preview and "AMBER or stricter" in green_preview
    assert _share(owner, world, green, "GREEN").status_code == 302
    unticked = add_incident(in_store, world.source, FACTS)

    def another_photo(session):
        raw = gps_tagged_jpeg()
        session.add(
            IncidentPhoto(
                incident_id=unticked,
                stored_name="fedcba9876543210fedcba9876543210.jpg",
                content_type="image/jpeg",
                width=64,
                height=48,
                byte_size=len(raw),
                data=raw,
            )
        )

    in_store(world.source, another_photo)
    assert _share(owner, world, unticked, "AMBER", photos=False).status_code == 302
    assert len(bulletins(engines, world.home.association.id)) == 2
    assert _photos(engines, world) == []
    assert not any(b.photos_allowed for b in bulletins(engines, world.home.association.id))


def test_withdrawing_removes_the_photos(app, engines, sharing_world, in_store):
    world = sharing_world
    set_auto_publish(engines, world.home.association.id)
    incident_id = _incident_with_gps_photo(in_store, world.source)
    owner = signed_in(app, world.owner)
    _share(owner, world, incident_id)
    [photo] = _photos(engines, world)
    response = post_form(owner, world.share_url(incident_id) + "withdraw", {}, form_url=world.share_url(incident_id))
    assert response.status_code == 302
    assert _photos(engines, world) == []
    [after] = bulletins(engines, world.home.association.id)
    assert after.status == "withdrawn" and not after.photos_allowed
    neighbour = signed_in(app, world.neighbour_user)
    assert neighbour.get(f"/s/{world.neighbour.slug}/feed/photos/{photo.stored_name}").status_code == 404


def test_a_moderator_moving_the_bulletin_to_green_deletes_the_photos(app, engines, sharing_world, in_store):
    world = sharing_world
    incident_id = _incident_with_gps_photo(in_store, world.source)
    _share(signed_in(app, world.owner), world, incident_id)
    [bulletin] = bulletins(engines, world.home.association.id)
    assert len(_photos(engines, world)) == 1
    admin = admin_client(app, engines, world)
    base = f"/a/{world.home.association.slug}/moderation"
    # An edit that keeps AMBER keeps them.
    kept = post_form(admin, f"{base}/{bulletin.id}/edit", {"title": bulletin.title, "tlp": "AMBER+STRICT"})
    assert kept.status_code == 302 and len(_photos(engines, world)) == 1
    edited = post_form(admin, f"{base}/{bulletin.id}/edit", {"title": bulletin.title, "tlp": "GREEN"})
    assert edited.status_code == 302
    assert _photos(engines, world) == []
    [after] = bulletins(engines, world.home.association.id)
    assert after.tlp == "GREEN" and not after.photos_allowed


# Photos in the previews (ANONYMIZATION.md rule 7): the store and the moderator see the photos before they decide.

_IMG_SRC = re.compile(r'<img src="([^"]+)"')


def _assert_no_metadata(data: bytes) -> None:
    for marker in (b"Exif", b"GPS", b"SpyCam", b"secret-comment"):
        assert marker not in data
    with Image.open(io.BytesIO(data)) as image:
        assert dict(image.getexif()) == {} and image.getexif().get_ifd(GPS_IFD) == {}
        assert "exif" not in image.info and "comment" not in image.info


def _other_association_admin(app, engines, make_user, world):
    with Session(engines.owner, expire_on_commit=False) as session:
        elsewhere = session.get(Association, world.outsider_store.association_id)
    admin = make_user(association=elsewhere, role=Role.ASSOCIATION_ADMIN)
    client = app.test_client()
    sign_in_with_code(client, engines, admin, enrol(engines, admin))
    return client, elsewhere


def test_the_store_preview_shows_the_ticked_photos_as_they_will_be_published(app, engines, sharing_world, in_store):
    world = sharing_world
    incident_id = _incident_with_gps_photo(in_store, world.source)
    owner = signed_in(app, world.owner)
    page = owner.get(world.share_url(incident_id) + "?tlp=AMBER&share_photos=y")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    [src] = _IMG_SRC.findall(html)
    assert src.startswith(f"/s/{world.source.slug}/logbook/{incident_id}/share/photos/")
    assert ORIGINAL_NAME not in html  # not the logbook's own photo, which keeps its upload as it was
    assert '<input type="hidden" name="share_photos" value="y">' in html and "with 1 photo<" in html

    served = owner.get(src)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Cache-Control"] == "private, no-store"
    _assert_no_metadata(served.data)

    # Confirming (the page carries share_photos=y, asserted above) publishes the very bytes previewed.
    assert _share(owner, world, incident_id, photos=True).status_code == 302
    [published] = _photos(engines, world)
    assert published.data == served.data


def test_the_store_preview_says_no_photo_is_shared_when_unticked_or_at_green(app, sharing_world, in_store):
    world = sharing_world
    incident_id = _incident_with_gps_photo(in_store, world.source)
    owner = signed_in(app, world.owner)
    for query in ("?tlp=AMBER", "?tlp=GREEN&share_photos=y"):
        html = owner.get(world.share_url(incident_id) + query).get_data(as_text=True)
        assert _IMG_SRC.findall(html) == []
        assert "No photo will be shared" in html
        assert 'type="hidden" name="share_photos"' not in html


def test_the_preview_photo_route_serves_only_this_incidents_photos_to_its_managers(
    app, engines, sharing_world, in_store
):
    world = sharing_world
    incident_id = _incident_with_gps_photo(in_store, world.source)
    other_incident = add_incident(in_store, world.source, FACTS)
    photo_id = in_store(world.source, lambda s: s.scalar(sa.select(IncidentPhoto.id)))
    url = f"/s/{world.source.slug}/logbook/{incident_id}/share/photos/{photo_id}"
    owner = signed_in(app, world.owner)
    assert owner.get(url).status_code == 200
    assert owner.get(f"/s/{world.source.slug}/logbook/{other_incident}/share/photos/{photo_id}").status_code == 404
    assert owner.get(f"/s/{world.source.slug}/logbook/{incident_id}/share/photos/{photo_id + 1}").status_code == 404
    # Staff do not share, a neighbour's members are not in this store, an admin is never inside a store.
    assert signed_in(app, world.staff).get(url).status_code in (403, 404)
    neighbour = signed_in(app, world.neighbour_user)
    assert neighbour.get(url).status_code in (403, 404)
    assert neighbour.get(url.replace(world.source.slug, world.neighbour.slug)).status_code in (403, 404)
    assert admin_client(app, engines, world).get(url).status_code in (403, 404)


def test_the_moderator_sees_the_photos_of_a_pending_bulletin_and_only_their_association_can_fetch_them(
    app, engines, sharing_world, in_store, make_user
):
    world = sharing_world
    incident_id = _incident_with_gps_photo(in_store, world.source)
    _share(signed_in(app, world.owner), world, incident_id)
    [bulletin] = bulletins(engines, world.home.association.id)
    assert bulletin.status == "pending"
    [photo] = _photos(engines, world)
    slug = world.home.association.slug
    url = f"/a/{slug}/moderation/photos/{photo.stored_name}"

    admin = admin_client(app, engines, world)
    queue = admin.get(f"/a/{slug}/moderation").get_data(as_text=True)
    assert _IMG_SRC.findall(queue) == [url]
    edit = admin.get(f"/a/{slug}/moderation/{bulletin.id}/edit").get_data(as_text=True)
    assert _IMG_SRC.findall(edit) == [url]
    served = admin.get(url)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    assert served.data == photo.data and served.headers["X-Content-Type-Options"] == "nosniff"
    _assert_no_metadata(served.data)

    other_admin, elsewhere = _other_association_admin(app, engines, make_user, world)
    assert other_admin.get(url).status_code == 404
    assert other_admin.get(f"/a/{elsewhere.slug}/moderation/photos/{photo.stored_name}").status_code == 404
    for user in (world.owner, world.neighbour_user):
        assert signed_in(app, user).get(url).status_code == 404
    assert admin.get(f"/a/{slug}/moderation/photos/{'0' * 32}.jpg").status_code == 404
