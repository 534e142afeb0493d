"""Sources, notes and chart-table headers in zh (English text unchanged in en)."""

from __future__ import annotations

from silkhub.web.localize import column_text, dataset_title, note_text, source_text

LINE = (
    "wdi: wdi v1: Demo: WDI, China + 23 B&R partners (GDP, population 2010–2019) "
    "(https://github.com/datasets/gdp); imported 2026-12-03; sha256 045e7272a61c99"
)


def test_dataset_line_in_zh_keeps_codes_url_date_hash():
    zh = source_text(LINE, "zh")
    assert zh == (
        "wdi v1：示例：世界银行世界发展指标（WDI） https://github.com/datasets/gdp；"
        "2026年12月3日导入；sha256 045e7272a61c"
    )
    assert source_text(LINE, "en") == LINE


def test_known_sources_and_parts():
    assert source_text("silkhub.analytics.openness (formulas in docs)", "zh") == (
        "silkhub 开放度计算（公式见文档）"
    )
    mixed = "OpenFlights routes.dat; regional: silkhub demo city data"
    assert source_text(mixed, "zh") == "OpenFlights routes.dat；地区数据: silkhub 示例城市数据"
    cite = "杭州市2019年统计公报 (Hangzhou Statistical Communiqué 2019)"
    assert source_text(cite, "zh") == "杭州市2019年统计公报"
    assert source_text("something else", "zh") == "something else"
    assert source_text("gravity model ppml (n=34410)", "zh") == "引力模型 ppml（样本量 n=34410）"


def test_notes_and_columns():
    assert note_text("no prediction (missing distance or GDP) for: MNE, YEM", "zh") == (
        "缺少距离或 GDP 数据、无法预测：MNE, YEM"
    )
    assert note_text("unknown note", "zh") == "unknown note"
    assert column_text("value", "zh") == "数值" and column_text("value", "en") == "Value"
    assert column_text("Jinan", "zh") == "Jinan"
    assert dataset_title("baci", "BACI HS92", "zh") == "CEPII BACI 分产品双边贸易"
    assert dataset_title("mystery", "Mystery data", "zh") == "Mystery data"
