"""禁毒: registered drug users — status, risk level, by police station and by village. What the page shows is built in figures.views.drugs."""

from figures.filters import Filters
from ui import connection, frame, widgets


def body(f: Filters) -> None:
    widgets.topic_page(connection.view("drugs", f), f)


frame.run_page("禁毒", body)
