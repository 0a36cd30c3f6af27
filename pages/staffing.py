"""队伍建设: posts, staff in post, the enforcement office and certification (town level). What the page shows is built in figures.views.staffing."""

from figures.filters import Filters
from ui import connection, frame, widgets


def body(f: Filters) -> None:
    widgets.topic_page(connection.view("staffing", f), f)


frame.run_page("队伍建设", body, town_level=True)
