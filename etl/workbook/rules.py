"""The catalog's sum and ≤ rules, checked on each village's row and on the form.

A rule is checked only where its numbers are exact: `1000余` cannot break an equality.
A blank part counts as nothing (the clerk reported none), a blank total skips the rule.
"""

from __future__ import annotations

from etl.reference.catalog import Catalog
from etl.workbook.sheets import SheetData


def check_rules(sheet: SheetData, catalog: Catalog) -> None:
    by_village: dict[str | None, dict[str, object]] = {}
    for fact in sheet.facts:
        by_village.setdefault(fact.village, {})[fact.indicator] = fact
    for facts in by_village.values():
        for rule in catalog.topic_rules(sheet.topic.code):
            total = facts.get(rule.total)
            parts = [facts[p] for p in rule.parts if p in facts]
            if total is None or not parts:
                continue
            if total.count.qualifier != "exact" or any(p.count.qualifier != "exact" for p in parts):
                continue
            summed = sum(p.count.value for p in parts)
            names = "、".join(catalog.indicators[p].name for p in rule.parts)
            total_name = catalog.indicators[rule.total].name
            if rule.check == "sum" and summed != total.count.value:
                sheet.problem(
                    "RULE_SUM",
                    f"“{total_name}”为 {total.count.value}，但{names}相加为 {summed}，二者应相等。请核对这一行的数字",
                    total.cell,
                )
            elif rule.check == "at_most" and summed > total.count.value:
                sheet.problem(
                    "RULE_AT_MOST",
                    f"{names}相加为 {summed}，超过了“{total_name}” {total.count.value}。部分不能大于总数，请核对这一行的数字",
                    total.cell,
                )
