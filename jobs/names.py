"""The names of the jobs, and the locks that keep some of them one at a time.

One home for the strings that tie a job written by domain code (`jobs.queue.enqueue`) to the function the worker
runs for it (`jobs.tasks.JOBS`); a test checks that every name here has exactly one task.
"""

DELIVER_MAIL = "mail.deliver"
SEND_PASSWORD_RESET = "accounts.send_password_reset"
SEND_LOCK_NOTICE = "accounts.send_lock_notice"
DETECT_PATTERNS = "alerts.detect_patterns"
DROP_TREND_FACT = "trends.drop_fact"
BUILD_STORES = "tenants.build_stores"
BUILD_PENDING = "tenants.build_pending"
FILL_POOL = "tenants.fill_pool"
PURGE_REMOVED = "tenants.purge_removed"
RUN_DUE_DIGESTS = "digest.run_due"
RECONCILE_DUES = "billing.reconcile"
DELIVER_WEBHOOK = "webhooks.deliver"

# Jobs sharing a lock run one after the other, whichever worker picks them up.
BUILD_LOCK = "tenants.build"
POOL_LOCK = "tenants.pool"
PURGE_LOCK = "tenants.purge"
DIGEST_LOCK = "digest"
RECONCILE_LOCK = "billing.reconcile"
