"""普法宣传: legal outreach events — how many, where, and what they reached. What the page shows is built in figures.views.outreach."""

from figures import views
from figures.filters import Filters
from ui import connection, frame, widgets


def body(f: Filters) -> None:
    widgets.topic_page(views.outreach(connection.read, f), f)


frame.run_page("普法宣传", body)
