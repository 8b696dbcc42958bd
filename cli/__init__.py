"""`flask` command groups. Each command calls the same domain functions the web app uses."""

from flask import Flask


def register(app: Flask) -> None:
    """Every command group, listed here once: nothing registers itself by being imported."""
    from cli.associations import associations_group
    from cli.backup import backup_commands
    from cli.billing import billing_group
    from cli.bulletins import bulletins_group
    from cli.db import db_group
    from cli.demo import demo_group
    from cli.digest import digest_group
    from cli.jobs import jobs_group
    from cli.mail import mail_group
    from cli.serve import serve_command
    from cli.setup import setup_command
    from cli.stores import store_commands
    from cli.tenants import tenants_group
    from cli.users import users_group

    for command in (
        associations_group,
        billing_group,
        db_group,
        tenants_group,
        demo_group,
        digest_group,
        jobs_group,
        mail_group,
        users_group,
        setup_command,
        serve_command,
        bulletins_group,
    ):
        app.cli.add_command(command)
    # `flask tenants` also holds export/restore/delete-data and the admin portal's purge-removed, build-pending,
    # import.
    for command in (*backup_commands, *store_commands):
        tenants_group.add_command(command)
