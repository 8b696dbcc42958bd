"""The audit log in words: every action code the app records, as a sentence a person reads.

One mapping, one home. Each sentence is one translatable msgid with the person who acted as ``%(who)s``; the
audit page renders ``describe(code, who)``. A code missing here (a new action, or an old one since renamed) still
reads as a sentence: "<who> did <code>" — the test `tests/admin/test_audit_wording.py` fails when an action the
code records has no words, so this fallback is for rows written by older versions only.
"""

from __future__ import annotations

from i18n import _, _l

# fmt: off
SENTENCES = {
    "api_token.created": _l("%(who)s created an API token"),
    "api_token.revoked": _l("%(who)s revoked an API token"),
    "area.create": _l("%(who)s created an area"),
    "area.rename": _l("%(who)s renamed an area"),
    "association.create": _l("%(who)s created the association"),
    "association.settings": _l("%(who)s changed the association's settings"),
    "association.suspend": _l("%(who)s suspended the association"),
    "association.unsuspend": _l("%(who)s lifted the association's suspension"),
    "audit.export": _l("%(who)s exported the audit log"),
    "billing.checkout_started": _l("%(who)s started paying dues"),
    "billing.keys_replaced": _l("%(who)s replaced the Stripe keys"),
    "billing.keys_set": _l("%(who)s connected a Stripe account"),
    "billing.plan_archived": _l("%(who)s stopped offering a dues plan"),
    "billing.plan_created": _l("%(who)s added a dues plan"),
    "billing.plans_synced": _l("%(who)s synced the dues plans to Stripe"),
    "billing.portal_opened": _l("%(who)s opened the billing portal"),
    "billing.status_changed": _l("%(who)s saw a store's dues status change"),
    "briefing.print": _l("%(who)s printed a security briefing"),
    "briefing.update": _l("%(who)s changed a security briefing"),
    "briefing.view": _l("%(who)s read a security briefing"),
    "bulletin.alerted": _l("%(who)s sent a bulletin as an urgent alert"),
    "bulletin.approved": _l("%(who)s approved a bulletin"),
    "bulletin.auto_alerted": _l("%(who)s sent an automatic urgent alert"),
    "bulletin.auto_publish_changed": _l("%(who)s changed trusted auto-publish"),
    "bulletin.edited": _l("%(who)s edited a bulletin"),
    "bulletin.merged": _l("%(who)s merged two bulletins"),
    "bulletin.rejected": _l("%(who)s rejected a bulletin"),
    "bulletin.retired": _l("%(who)s retired a bulletin"),
    "bulletin.trend_posted": _l("%(who)s posted a trend note"),
    "digest.queued": _l("%(who)s queued a digest"),
    "digest.retried": _l("%(who)s retried a digest delivery"),
    "digest.test_sent": _l("%(who)s sent a test digest"),
    "digest.unsubscribed": _l("%(who)s unsubscribed from emails"),
    "invitation.accept": _l("%(who)s accepted an invitation"),
    "invitation.create": _l("%(who)s invited someone"),
    "job.retried": _l("%(who)s retried a background job"),
    "liaison.export": _l("%(who)s exported bulletins"),
    "liaison.update": _l("%(who)s changed a police liaison's details"),
    "logbook.casing_alert": _l("%(who)s alerted police contacts about a casing"),
    "logbook.casing_alert.link_refused": _l("%(who)s was refused a casing alert link"),
    "logbook.casing_alert.opened": _l("%(who)s opened a casing alert"),
    "logbook.casing_alert.photo_viewed": _l("%(who)s viewed a casing alert's photo"),
    "logbook.delete": _l("%(who)s deleted a logbook incident"),
    "logbook.restore": _l("%(who)s restored a deleted logbook incident"),
    "logbook.purge": _l("%(who)s removed logbook incidents deleted over 30 days ago for good"),
    "logbook.export": _l("%(who)s exported the logbook"),
    "logbook.photo_deleted": _l("%(who)s removed a logbook photo"),
    "login.failure": _l("%(who)s failed to sign in"),
    "login.success": _l("%(who)s signed in"),
    "login.throttled": _l("%(who)s was refused sign-in after too many failures"),
    "logout": _l("%(who)s signed out"),
    "meeting.invitation_sent": _l("%(who)s sent a meeting invitation"),
    "membership.remove": _l("%(who)s removed someone from a store"),
    "mfa.enable": _l("%(who)s turned on two-step sign-in"),
    "mfa.failure": _l("%(who)s typed a wrong two-step code"),
    "mfa.recovery_code_used": _l("%(who)s signed in with a recovery code"),
    "mfa.recovery_codes_renewed": _l("%(who)s renewed their recovery codes"),
    "mfa.reset": _l("%(who)s reset someone's two-step sign-in"),
    "mfa.verify": _l("%(who)s confirmed a two-step code"),
    "password.change": _l("%(who)s changed their password"),
    "password.reset": _l("%(who)s reset their password"),
    "password.reset_requested": _l("%(who)s asked for a password reset link"),
    "patrol.officer.acknowledged": _l("%(who)s acknowledged a patrol request"),
    "patrol.officer.completed": _l("%(who)s completed a patrol request"),
    "patrol.officer.declined": _l("%(who)s declined a patrol request"),
    "patrol.officer.link_refused": _l("%(who)s was refused a patrol request link"),
    "patrol.officer.logged_patrol": _l("%(who)s logged a patrol"),
    "patrol.officer.opened": _l("%(who)s opened a patrol request"),
    "patrol.resent": _l("%(who)s sent a patrol request again"),
    "patrol.sent": _l("%(who)s sent a patrol request"),
    "platform.signup_approval": _l("%(who)s changed whether sign-ups need approval"),
    "platform_billing.checkout_started": _l("%(who)s started a Loupe subscription"),
    "platform_billing.plan_created": _l("%(who)s added a Loupe plan"),
    "platform_billing.plans_synced": _l("%(who)s synced Loupe's plans to Stripe"),
    "platform_billing.portal_opened": _l("%(who)s opened the Loupe subscription portal"),
    "platform_billing.quantity_synced": _l("%(who)s updated the number of stores billed"),
    "platform_billing.status_changed": _l("%(who)s saw the Loupe subscription's status change"),
    "region.create": _l("%(who)s created a region"),
    "region.merge": _l("%(who)s merged two regions"),
    "region.rename": _l("%(who)s renamed a region"),
    "region.settings": _l("%(who)s changed a region's settings"),
    "review.grant": _l("%(who)s gave police access to incidents"),
    "review.notes": _l("%(who)s wrote police review notes"),
    "review.open": _l("%(who)s opened a police review"),
    "review.photo": _l("%(who)s viewed a photo in a police review"),
    "review.revoke": _l("%(who)s revoked police access"),
    "review.reviewed": _l("%(who)s marked a police review as done"),
    "role.change": _l("%(who)s changed someone's role"),
    "role.remove": _l("%(who)s removed someone's role"),
    "signup.approve": _l("%(who)s approved an association's sign-up"),
    "signup.confirm": _l("%(who)s confirmed an association's sign-up"),
    "signup.reject": _l("%(who)s turned down an association's sign-up"),
    "signup.start": _l("%(who)s started an association's sign-up"),
    "store.contact_deleted": _l("%(who)s removed a police contact"),
    "store.create": _l("%(who)s invited a member store"),
    "store.delete_data": _l("%(who)s deleted a store's data"),
    "store.drop": _l("%(who)s deleted a store's workspace"),
    "store.export": _l("%(who)s exported a store's data"),
    "store.import": _l("%(who)s imported member stores from a file"),
    "store.move": _l("%(who)s moved a member store to another region"),
    "store.profile_updated": _l("%(who)s changed a store's profile"),
    "store.reactivate": _l("%(who)s reactivated a member store"),
    "store.removal_cancelled": _l("%(who)s cancelled a member store's removal"),
    "store.removal_requested": _l("%(who)s scheduled a member store's removal"),
    "store.restore": _l("%(who)s restored a store's data"),
    "store.settings_changed": _l("%(who)s changed a store's settings"),
    "store.setup_retry": _l("%(who)s retried a member store's set-up"),
    "store.suspend": _l("%(who)s suspended a member store"),
    "trends.export": _l("%(who)s exported the trends"),
    "user.deactivate": _l("%(who)s deactivated an account"),
    "user.reactivate": _l("%(who)s reactivated an account"),
    "webhook.deleted": _l("%(who)s deleted a webhook"),
    "webhook.subscribed": _l("%(who)s added a webhook"),
    "webhook.test_sent": _l("%(who)s sent a test webhook"),
}
# fmt: on


def who(name: str | None, email: str | None) -> str:
    """How the person who acted is named: their name, else their email, else "Loupe" (the system itself)."""
    return (name or "").strip() or (email or "").strip() or _("Loupe")


def describe(action: str, actor_name: str | None = None, actor_email: str | None = None) -> str:
    """The sentence for one audit entry; an unknown code still reads as a sentence, with the code in it."""
    person = who(actor_name, actor_email)
    sentence = SENTENCES.get(action)
    if sentence is None:
        return _("%(who)s did “%(action)s”", who=person, action=action)
    return str(sentence) % {"who": person}
