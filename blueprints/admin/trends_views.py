"""Admin portal: regional trends of the association (charts per region) and the TLP:CLEAR export of k-checked
counts per region and week, rounded to base 5 (CSV and JSON, audited as "trends.export")."""

from __future__ import annotations

import csv
import io
import json

from flask import Response, render_template

import trends
from blueprints.admin.views import bp
from blueprints.guards import association_admin_view
from blueprints.web import current_actor
from database.request_scope import db
from models.base import utcnow
from security.csv_cells import formula_safe
from trends.charts import bar_chart

TLP_CLEAR = "TLP:CLEAR"


@bp.route("/trends")
@association_admin_view
def trends_page(association):
    found = trends.weekly_trends(db(), association, today=utcnow().date())
    return render_template("admin/trends.html", association=association, trends=found, bar_chart=bar_chart)


def _export(association, fmt: str):
    rows = trends.export_for_admin(db(), association, fmt, actor=current_actor(), today=utcnow().date())
    name = f"loupe-{association.slug}-trends-tlp-clear.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    if fmt == "json":
        body = {
            "tlp": TLP_CLEAR,
            "association": association.name,
            "rounding": (
                "base 5, after the small-count rule; cells resting on fewer than k stores, or on all but fewer"
                " than k member stores of their region or area, are omitted"
            ),
            "cells": rows,
        }
        return Response(json.dumps(body, indent=1), mimetype="application/json", headers=headers)
    out = io.StringIO()
    out.write(f"# {TLP_CLEAR}\n")
    writer = csv.DictWriter(out, fieldnames=trends.EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: formula_safe(value) for key, value in row.items()})
    return Response(out.getvalue(), mimetype="text/csv", headers=headers)


@bp.route("/trends/export.csv")
@association_admin_view
def trends_export_csv(association):
    return _export(association, "csv")


@bp.route("/trends/export.json")
@association_admin_view
def trends_export_json(association):
    return _export(association, "json")
