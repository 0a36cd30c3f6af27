"""普法宣传: legal outreach events — how many, where, and what they reached. What the page shows is built in figures.views.outreach."""

from figures.filters import Filters
from ui import connection, frame, widgets


def body(f: Filters) -> None:
    widgets.topic_page(connection.view("outreach", f), f)


frame.run_page("普法宣传", body)
