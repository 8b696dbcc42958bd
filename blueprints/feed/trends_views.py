"""The regional trends page of the feed (/s/<store>/feed/trends): weekly counts of the store's region, from the
shared anonymized facts only, with the small-count rule. Every store member may read it."""

from __future__ import annotations

from flask import render_template

import trends
from blueprints.feed.views import bp
from blueprints.guards import store_view
from database.request_scope import db
from models.base import utcnow
from trends.charts import bar_chart


@bp.route("/trends")
@store_view()
def trends_page(store, membership):
    found = trends.weekly_trends(db(), store.association, today=utcnow().date(), region=store.region)
    return render_template("feed/trends.html", store=store, trends=found, bar_chart=bar_chart)
