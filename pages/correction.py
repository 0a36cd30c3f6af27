"""社区矫正: people under community correction, by type, by village, over the years. What the page shows is built in figures.views.correction."""

from figures.filters import Filters
from ui import connection, frame, widgets


def body(f: Filters) -> None:
    widgets.topic_page(connection.view("correction", f), f)


frame.run_page("社区矫正", body)
