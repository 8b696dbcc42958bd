"""The django-tenants side, run by the harness as `bench/.venv-django/bin/python driver.py ACTION …` in a copy of
this project (with the generated store models). Prints one JSON line; times are taken inside this process, so
interpreter and Django start-up are not counted (as Loupe's side is timed in-process too).

    driver.py shared                          # migrate_schemas --shared (public schema)
    driver.py provision START COUNT           # tenant + domain rows → schema ready; ms per tenant
    driver.py drop START COUNT                # delete those tenants and their schemas
    driver.py migrate [--executor multiprocessing]   # migrate_schemas --tenant; seconds
"""

import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")

import django  # noqa: E402

django.setup()

from customers.models import Client, Domain  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402


def schema(i: int) -> str:
    return f"dj_store_{i}"


def main() -> None:
    action, args = sys.argv[1], sys.argv[2:]
    if action == "shared":
        t0 = time.perf_counter()
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        print(json.dumps({"seconds": time.perf_counter() - t0}))
    elif action == "provision":
        start, count = int(args[0]), int(args[1])
        times = []
        for i in range(start, start + count):
            t0 = time.perf_counter()
            tenant = Client(schema_name=schema(i), name=f"Bench Store {i}")
            tenant.save()
            Domain(domain=f"{schema(i)}.bench.localhost", tenant=tenant, is_primary=True).save()
            times.append((time.perf_counter() - t0) * 1000)
            if (i - start + 1) % 100 == 0:
                print(f"  django-tenants: {i - start + 1}/{count} tenants", file=sys.stderr, flush=True)
        print(json.dumps({"ms": times}))
    elif action == "drop":
        start, count = int(args[0]), int(args[1])
        for i in range(start, start + count):
            Client.objects.get(schema_name=schema(i)).delete(force_drop=True)
        print(json.dumps({"dropped": count}))
    elif action == "migrate":
        executor = args[1] if args[:1] == ["--executor"] else "standard"
        connection.close()
        t0 = time.perf_counter()
        call_command("migrate_schemas", tenant=True, executor=executor, interactive=False, verbosity=0)
        print(json.dumps({"seconds": time.perf_counter() - t0, "executor": executor}))
    else:
        raise SystemExit(f"unknown action {action}")


if __name__ == "__main__":
    main()
