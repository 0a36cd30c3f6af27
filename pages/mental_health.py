"""严重精神障碍患者: patients under management by national risk grade 0–5 (高危 = 3级以上). What the page shows is built in figures.views.mental_health."""

from figures.filters import Filters
from ui import connection, frame, widgets


def body(f: Filters) -> None:
    widgets.topic_page(connection.view("mental_health", f), f)


frame.run_page("严重精神障碍患者", body)
