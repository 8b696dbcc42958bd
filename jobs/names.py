"""The names of the jobs, and the locks that keep some of them one at a time.

One home for the strings that tie a job written by domain code (`jobs.queue.enqueue`) to the function the worker
runs for it (`jobs.tasks.JOBS`); a test checks that every name here has exactly one task.
"""

DELIVER_MAIL = "mail.deliver"
SEND_PASSWORD_RESET = "accounts.send_password_reset"
SEND_LOCK_NOTICE = "accounts.send_lock_notice"
DETECT_PATTERNS = "alerts.detect_patterns"
CLOSE_TREND_WEEKS = "trends.close_weeks"
BUILD_STORES = "tenants.build_stores"
BUILD_PENDING = "tenants.build_pending"
FILL_POOL = "tenants.fill_pool"
PURGE_REMOVED = "tenants.purge_removed"
RUN_DUE_DIGESTS = "digest.run_due"
RECONCILE_DUES = "billing.reconcile"
SYNC_PLATFORM_QUANTITY = "billing.sync_platform_quantity"
RECONCILE_PLATFORM = "billing.reconcile_platform"
PURGE_EXPIRED_SIGNUPS = "associations.purge_expired_signups"
NOTIFY = "notifications.notify"
PATROLS_EXPIRING = "notifications.patrols_expiring"
MEETING_REMINDERS = "meetings.remind"
DELIVER_WEBHOOK = "webhooks.deliver"
PURGE_DELETED_INCIDENTS = "logbook.purge_deleted"

# Jobs sharing a lock run one after the other, whichever worker picks them up.
BUILD_LOCK = "tenants.build"
POOL_LOCK = "tenants.pool"
PURGE_LOCK = "tenants.purge"
DIGEST_LOCK = "digest"
TRENDS_LOCK = "trends"
RECONCILE_LOCK = "billing.reconcile"
EXPIRING_LOCK = "notifications.patrols_expiring"
REMINDER_LOCK = "meetings.remind"
LOGBOOK_PURGE_LOCK = "logbook.purge_deleted"
