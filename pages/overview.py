"""总览: the headline figure of every topic for the last year shown, with its change and trend. What the page shows is built in figures.views.overview."""

from figures.filters import Filters
from ui import connection, frame, widgets


def body(f: Filters) -> None:
    widgets.topic_page(connection.view("overview", f), f)


frame.run_page("总览", body)
