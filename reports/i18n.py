"""The one translation table of the reports' interface (Chinese default, English with lang='en').

Names of indicators and statuses come from transforms.indicators (the project's table of them);
every other label a report shows - headings, column headers, chart titles, legends, pollutant
and water-class names - is here, so that a bureau analyst finds the Chinese term beside the
English one in one place.
"""

from __future__ import annotations

from transforms.indicators import label as indicator_label
from transforms.indicators import unit as indicator_unit

LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    # page
    "title": ("目标差距报告", "Target-gap report"),
    "as_of": ("截至", "as of"),
    "year": ("年度", "year"),
    "index": ("各地区目标差距报告", "Target-gap reports by region"),
    "generated": ("生成时间", "generated"),
    "no_data": ("无数据", "no data"),
    # sections
    "sec_cards": ("目标完成情况", "Targets at a glance"),
    "sec_good_days": ("优良天数进度", "Good days against the target"),
    "sec_pm": ("颗粒物浓度进度", "Particulate matter against the target"),
    "sec_calendar": ("空气质量日历", "AQI calendar"),
    "sec_drivers": ("非优良天首要污染物", "What drives the non-good days"),
    "sec_ranking": ("区县排名", "County ranking"),
    "sec_water": ("水环境断面", "Water sections"),
    "sec_water_matrix": ("断面逐月水质类别", "Section class by month"),
    "sec_quality": ("数据质量", "Data quality"),
    "sec_rectification": ("督察整改", "Inspection rectification"),
    "sec_rect_units": ("责任单位三色督办", "Responsible units by colour"),
    "sec_rect_red": ("红色督办单", "Red supervision list"),
    "rect_snapshot": ("台账截至", "ledger as of"),
    "rect_none_red": ("无红色督办事项", "No red item"),
    "rect_yes": ("是", "yes"),
    "rect_source": ("问题来源", "Source"),
    "rect_problems": ("问题总数", "Problems"),
    "rect_completed": ("已完成", "Completed"),
    "rect_closed": ("已销号", "Closed"),
    "rect_under_way": ("整改中", "Under way"),
    "rect_overdue": ("逾期未完成", "Overdue"),
    "rect_due_soon": ("30日内到期", "Due within 30 days"),
    "rect_reopened": ("反弹", "Reopened"),
    "rect_completion_rate": ("完成率(%)", "Completion rate (%)"),
    "rect_closure_rate": ("销号率(%)", "Closure rate (%)"),
    "rect_unit": ("责任单位", "Responsible unit"),
    "rect_red": ("红", "Red"),
    "rect_yellow": ("黄", "Yellow"),
    "rect_white": ("白", "White"),
    "rect_colour": ("督办等级", "Colour"),
    "rect_problem_no": ("问题编号", "No."),
    "rect_description": ("问题描述", "Problem"),
    "rect_units": ("责任单位", "Responsible units"),
    "rect_deadline_text": ("整改时限", "Deadline as written"),
    "rect_deadline": ("到期日", "Due date"),
    "rect_status": ("整改状态", "Status"),
    "rect_days_overdue": ("逾期天数", "Days overdue"),
    "rect_completed_date": ("完成时间", "Completed on"),
    "rect_closed_date": ("销号时间", "Closed on"),
    "rect_status_closed": ("已销号", "closed"),
    "rect_status_completed": ("已完成", "completed"),
    "rect_status_on_schedule": ("序时推进", "on schedule"),
    "rect_status_in_progress": ("整改中", "under way"),
    "rect_status_lagging": ("进度滞后", "lagging"),
    "rect_status_not_completed": ("未完成", "not completed"),
    "rect_status_not_started": ("未启动", "not started"),
    # cards and target table
    "indicator": ("指标", "Indicator"),
    "period": ("考核期", "Period"),
    "target": ("目标", "Target"),
    "standard_limit": ("标准限值", "Standard limit"),
    "target_basis": ("对照依据", "Compared with"),
    "basis_target": ("考核目标", "assessment target"),
    "basis_standard_limit": ("标准限值", "standard limit"),
    "standard_limits_note": (
        "未配置考核目标：以下为各指标对照GB 3095二级标准限值（{edition}年版）的情况，"
        "标准限值不是考核目标。",
        "No assessment targets are configured: each indicator is shown against the GB 3095 "
        "grade II limit ({edition} edition). Standard limits are not assessment targets.",
    ),
    "actual": ("现状", "Actual"),
    "gap": ("差距", "Gap"),
    "pace": ("时序进度值", "On-pace value"),
    "pace_gap": ("进度差距", "Gap to pace"),
    "elapsed_share": ("时序进度", "Time elapsed"),
    "rest_of_year": ("剩余期需完成", "Rest of period must deliver"),
    "ceiling": ("年剩余日控制值", "Rest-of-year ceiling"),
    "good_days_needed": ("尚需优良天数", "Good days still needed"),
    "non_good_allowed": ("允许非优良天数", "Non-good days allowed"),
    "projected": ("预测", "Projected"),
    "probability": ("达标概率", "P(meet)"),
    "p_basis": (
        "据{years}个往年（{span}）、{futures}种模拟",
        "from {years} earlier years ({span}), {futures} futures",
    ),
    "p_pace_only": (
        "往年数据不足两年：仅按时序进度判断，不给概率",
        "fewer than two earlier years: pace verdict only, no probability",
    ),
    "p_method": (
        "达标概率的算法：把往年同期前后若干天内连续30天的实测数据拼接成今年剩余天数的数千种"
        "可能走势，每个往年先按今年迄今与该年同期的浓度比例换算，每种走势的总体水平再按往年"
        "之间的差异浮动。按《环境空气质量评价技术规范》对迄今实测与模拟天数合并计算期末值，达标走势所占比例即为"
        "达标概率；往年不足两年时只给时序进度判断。",
        "How P(meet) is made: thousands of futures for the days left are stitched from 30-day "
        "runs of earlier years starting near the same calendar dates, each earlier year first "
        "scaled by how this year so far compares with it, and each future's overall level "
        "varied as much as the earlier years differ. P(meet) is the share of futures whose "
        "final value, computed by HJ 663 from the days so far and the simulated days, meets "
        "the target; with fewer than two earlier years only the pace verdict is shown.",
    ),
    "last_year": ("去年同期", "Last year"),
    "status": ("状态", "Status"),
    "edition": ("评价标准", "Standards edition"),
    # the Chinese pages carry no Latin interface text: the edition by its year
    "edition_2012": ("2012年版标准", "GB 3095-2012 / HJ 633-2012"),
    "edition_2026": ("2026年版标准", "GB 3095-2026 / HJ 633-2026"),
    "insufficient_data": ("数据不足", "insufficient data"),
    "unit": ("单位", "Unit"),
    "gap_short": ("差", "short by"),
    "gap_ahead": ("优于目标", "ahead by"),
    "gap_below_limit": ("低于限值", "below the limit by"),
    "gap_above_limit": ("超过限值", "above the limit by"),
    # charts
    "day_of_year": ("年内天数", "Day of year"),
    "date": ("日期", "Date"),
    "month": ("月份", "Month"),
    "day": ("日", "Day"),
    "cum_good": ("累计优良天数", "Cumulative good days"),
    "this_year": ("今年", "This year"),
    "target_line": ("全年目标", "Annual target"),
    "standard_line": ("二级标准限值", "Grade II standard limit"),
    "pace_line": ("时序进度线", "Time-elapsed pace"),
    "ytd_mean": ("累计平均浓度", "Year-to-date mean"),
    "daily_mean": ("日均浓度", "Daily mean"),
    "ceiling_line": ("剩余日均值上限", "Highest daily mean allowed for the rest of the year"),
    "concentration": ("浓度 (µg/m³)", "Concentration (µg/m³)"),
    "days": ("天数", "Days"),
    "aqi": ("AQI", "AQI"),
    "level": ("级别", "Level"),
    "category": ("类别", "Category"),
    "primary_pollutant": ("首要污染物", "Primary pollutant"),
    # ranking
    "rank": ("排名", "Rank"),
    "region": ("地区", "Region"),
    "region_code": ("区划代码", "Region code"),
    "composite_index": ("综合指数", "Composite index"),
    "change_pct": ("同比变化 (%)", "Change on last year (%)"),
    "change_pp": ("同比变化 (百分点)", "Change on last year (pp)"),
    "improvement_rank": ("改善幅度排名", "Improvement rank"),
    "pm25": ("PM2.5 (µg/m³)", "PM2.5 (µg/m³)"),
    "good_rate": ("优良天数比例 (%)", "Good-day ratio (%)"),
    # overview page (index_<lang>.html)
    "ov_title": ("各地区目标进度总览", "Target progress by region"),
    "ov_regions_shown": ("显示 {shown} / {total} 个地区", "{shown} of {total} regions shown"),
    "ov_show_more": ("再显示 {n} 个 (尚余 {rest} 个)", "Show {n} more ({rest} left)"),
    "ov_province": ("省份", "Province"),
    "ov_level": ("级别", "Level"),
    "ov_all": ("全部", "all"),
    "ov_city": ("地级市", "city"),
    "ov_county": ("区县", "county"),
    "ov_search": ("搜索名称或代码", "Search a name or code"),
    "ov_most_urgent": ("最紧迫的目标", "Most urgent target"),
    "ov_rank_national": ("全国排名", "National rank"),
    "ov_rank_parent": ("省(市)内排名", "Rank in province (city)"),
    "ov_rank_parent_note": (
        "省(市)内排名: 地级市在本省内的排名, 区县在本市内的排名。",
        "Rank in province (city): a city's rank among the cities of its province, a county's"
        " among the counties of its city.",
    ),
    "ov_change": ("同比", "vs last year"),
    "ov_ytd": ("年初至今", "year to date"),
    "ov_month": ("月", "month"),
    "ov_rankings": ("空气质量排名", "Air quality rankings"),
    "ov_national": ("全国", "national"),
    "ov_in_parent": ("省(市)内", "in province (city)"),
    "ov_no_last_year": (
        "无上年同期数据, 无法计算改善幅度",
        "no data for the same period last year",
    ),
    "ov_national_cities": ("全国地级及以上城市", "all cities of the country"),
    "ov_best": ("综合指数最好的 {n} 个", "Best {n} by composite index"),
    "ov_worst": ("综合指数最差的 {n} 个", "Worst {n} by composite index"),
    "ov_most_improved": ("改善幅度最大的 {n} 个", "{n} most improved on last year"),
    "ov_least_improved": ("改善幅度最小的 {n} 个", "{n} least improved on last year"),
    "ov_delta_index": ("综合指数变化率 (%)", "Index change (%)"),
    "ov_legend": ("图例与说明", "Legend"),
    "ov_no_script": (
        "此页需要 JavaScript 才能显示表格。",
        "This page needs JavaScript for its table.",
    ),
    "ov_legend_order": (
        "默认按紧迫程度排序: 先是已无法完成或期末未达标的目标, 再是进度滞后、有风险;"
        " 同一状态内达标概率低者在前。点击列标题可按该列排序。"
        "目标计数包括该地区报告中的全部目标 (含所辖水质断面的类别目标)。",
        "Sorted by urgency: targets that can no longer be met (or were missed), then off track, "
        "then at risk; within one status the lower probability of meeting first. Click a "
        "column header to sort by it. The counts cover every target of the region's report "
        "(its water sections' class targets included).",
    ),
    "ov_legend_index": (
        "综合指数 = PM2.5/35 + PM10/70 + SO2/60 + NO2/40 + CO-95per/4 + O3-8h-90per/160,"
        " 越小越好; 扣除沙尘; 排名按公报精度 (指数保留两位小数, 变化率一位) 并列同名次。"
        "改善幅度为综合指数同比变化率, 负值表示改善。",
        "Composite index = PM2.5/35 + PM10/70 + SO2/60 + NO2/40 + CO-95per/4 + "
        "O3-8h-90per/160, lower is better; dust deducted; ranked at bulletin precision (index "
        "2 decimals, change 1 decimal), equal values share a rank. Improvement is the index's "
        "change on last year in percent; negative means improved.",
    ),
    "ov_all_met": ("全部 {n} 项目标已达标", "all {n} targets met"),
    "ov_no_targets": ("无考核目标", "no targets"),
    "ov_heavy": (
        "余下 {rest} 天至多 {allowed} 个重污染天",
        "at most {allowed} heavy-pollution days in the remaining {rest} days",
    ),
    "ov_days_over": (
        "余下 {rest} 天中至多 {allowed} 天可超过 {value} {unit}",
        "at most {allowed} of the remaining {rest} days may exceed {value} {unit}",
    ),
    "ov_value": (
        "现状 {actual}, 目标 {comparator} {target}",
        "now {actual}, target {comparator} {target}",
    ),
    "ov_rank_of": ("第 {rank} / {n}", "{rank} of {n}"),
    "ov_ranks_title": ("本地区空气质量排名", "This region's air quality ranks"),
    # water
    "section_code": ("断面编码", "Section code"),
    "section": ("断面", "Section"),
    "river": ("河流", "River"),
    "target_class": ("目标类别", "Target class"),
    "class_now": ("本期类别", "Class this period"),
    "class_last_year": ("去年同期类别", "Class last year"),
    "meets_target": ("是否达标", "Meets target"),
    "target_miss_items": ("超目标类别指标", "Items above the target class"),
    "main_pollutants": ("主要污染指标", "Main pollutants"),
    "exceedance": ("超标倍数", "Exceedance multiples"),
    "met_yes": ("达标", "met"),
    "met_no": ("未达标", "missed"),
    "class": ("水质类别", "Class"),
    # data quality
    "elapsed_days": ("已过天数", "Days elapsed"),
    "days_with_data": ("有数据天数", "Days with data"),
    "valid_days": ("有效天数", "Valid days"),
    "completeness": ("有效率 (%)", "Completeness (%)"),
    "pollutant": ("污染物", "Pollutant"),
    "quarantine": ("隔离数据", "Quarantined values"),
    "reason": ("原因", "Reason"),
    "cells": ("数量", "Count"),
    "files": ("文件数", "Files"),
    "example": ("示例", "Example"),
    "validation": ("未通过的校验", "Failed expectations"),
    "suite": ("校验集", "Suite"),
    "expectation": ("校验项", "Expectation"),
    "severity": ("级别", "Severity"),
    "failed_batches": ("未通过批次", "Failed batches"),
    "unexpected_values": ("异常值数量", "Unexpected values"),
    "data_docs": ("查看数据质量校验详情", "Open the Data Docs"),
    "nothing_quarantined": ("无隔离数据", "nothing quarantined"),
    "all_passed": ("全部校验通过", "every expectation passed"),
    # sheet names (Excel: at most 31 characters, no []:*?/\)
    "sheet_targets": ("目标进度", "Targets"),
    "sheet_good_days": ("累计优良天数", "Good days"),
    "sheet_pm": ("颗粒物累计均值", "PM means"),
    "sheet_calendar": ("AQI日历", "AQI calendar"),
    "sheet_drivers": ("首要污染物", "Primary pollutants"),
    "sheet_ranking": ("区县排名", "County ranking"),
    "sheet_water": ("水质断面", "Water sections"),
    "sheet_water_matrix": ("断面逐月类别", "Section by month"),
    "sheet_completeness": ("数据完整性", "Completeness"),
    "sheet_quarantine": ("隔离数据", "Quarantine"),
    "sheet_validation": ("未通过校验", "Failed expectations"),
    "sheet_rect_summary": ("整改进展", "Rectification"),
    "sheet_rect_units": ("责任单位督办", "Units by colour"),
    "sheet_rect_red": ("红色督办单", "Red list"),
    "sheet_rect_ledger": ("整改台账", "Ledger"),
}

POLLUTANTS: dict[str, tuple[str, str]] = {
    "pm25": ("PM2.5", "PM2.5"),
    "pm10": ("PM10", "PM10"),
    "so2": ("SO2", "SO2"),
    "no2": ("NO2", "NO2"),
    "co": ("CO", "CO"),
    "o3_8h": ("O3-8h", "O3-8h"),
    "o3_1h": ("O3-1h", "O3-1h"),
    "o3": ("O3", "O3"),
    "unknown": ("未标明", "not stated"),
}

WATER_CLASSES: dict[int, tuple[str, str]] = {
    1: ("Ⅰ类", "I"),
    2: ("Ⅱ类", "II"),
    3: ("Ⅲ类", "III"),
    4: ("Ⅳ类", "IV"),
    5: ("Ⅴ类", "V"),
    6: ("劣Ⅴ类", ">V"),
}

QUARANTINE_REASONS: dict[str, tuple[str, str]] = {
    "negative": ("负值", "negative value"),
    "non_numeric": ("非数值", "not a number"),
    "impossible_value": ("不可能的数值", "impossible value"),
    "missing_timestamp": ("缺少时间", "missing timestamp"),
    # rectification ledgers (transforms/ingest/formats/rectification.py)
    "missing_problem_no": ("缺少问题编号", "no problem number"),
    "unknown_status": ("无法识别的整改状态", "unknown status"),
    "unparseable_deadline": ("无法识别的整改时限", "unreadable deadline"),
    "unparseable_date": ("无法识别的日期", "unreadable date"),
    "duplicate_problem_no": ("问题编号重复", "problem number given twice"),
    "completion_before_feedback": ("完成日期早于督察反馈日期", "completed before the feedback"),
}


SEVERITIES: dict[str, tuple[str, str]] = {
    "critical": ("严重", "critical"),
    "warning": ("警告", "warning"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def text(key: str, lang: str = "zh") -> str:
    """The interface label `key` in Chinese (zh) or English (en); KeyError for unknown keys."""
    return _pick(TEXT[key], lang)


def indicator(code: str, lang: str = "zh") -> str:
    """Display name of an indicator or status (from transforms.indicators)."""
    return indicator_label(code, lang)


def unit(code: str, lang: str = "zh") -> str:
    """Unit of an indicator in the reader's language ("" for unknown codes)."""
    try:
        return indicator_unit(code, lang)
    except KeyError:
        return ""


def pollutant(code: str, lang: str = "zh") -> str:
    """Display name of a pollutant code (pm25 -> PM2.5); unknown codes are shown as they are."""
    pair = POLLUTANTS.get(code)
    return _pick(pair, lang) if pair else code


def pollutants(value: object, lang: str = "zh") -> list[str]:
    """Display names of a comma-separated list of pollutant codes ("pm25,o3_8h"), as the
    calendar shows primary pollutants; [] when missing."""
    if not isinstance(value, str):
        return []
    return [pollutant(p.strip(), lang) for p in value.split(",") if p.strip()]


def water_class(value: object, lang: str = "zh") -> str:
    """Water class 1..6 as written in bulletins (Ⅲ类, 劣Ⅴ类); '' when missing."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    pair = WATER_CLASSES.get(number)
    return _pick(pair, lang) if pair else str(number)


def severity(code: str, lang: str = "zh") -> str:
    """Severity of an expectation (critical / warning) in the reader's language."""
    pair = SEVERITIES.get(code)
    return _pick(pair, lang) if pair else code


def quarantine_reason(code: str, lang: str = "zh") -> str:
    """Display name of a quarantine reason code; unknown reasons are shown as they are."""
    pair = QUARANTINE_REASONS.get(code)
    return _pick(pair, lang) if pair else code


def month(number: int, lang: str = "zh") -> str:
    """Month label: 3月 / Mar."""
    if lang == "en":
        names = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
        return names[number - 1]
    return f"{number}月"


PERIODS = {
    "year": ("全年", "Year"),
    "Q1": ("第一季度", "Q1"),
    "Q2": ("第二季度", "Q2"),
    "Q3": ("第三季度", "Q3"),
    "Q4": ("第四季度", "Q4"),
    "H1": ("上半年", "H1"),
    "H2": ("下半年", "H2"),
}


def period(code: str, lang: str = "zh") -> str:
    """Assessment period label: year -> 全年 / Year, Q4 -> 第四季度 / Q4, M03 -> 3月 / Mar;
    others as they are."""
    pair = PERIODS.get(code)
    if pair:
        return _pick(pair, lang)
    if len(code) == 3 and code[0] == "M" and code[1:].isdigit() and 1 <= int(code[1:]) <= 12:
        return month(int(code[1:]), lang)
    return code
