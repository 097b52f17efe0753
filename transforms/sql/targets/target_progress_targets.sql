-- Every target with its period's calendar as seen on $as_of (docs/target_progress.md):
-- period bounds, days gone and days left (时序进度), the baseline period of year-on-year
-- targets, and what the target names (a known region or section, the indicator's kind).
-- Configured targets (target_basis 'target') and the standard limits of regions without any
-- (target_basis 'standard_limit', tp_standard_targets).
-- Days so far end at the domain's data as-of ($air_as_of, $water_as_of: transforms/as_of.py;
-- rectification ledgers: $as_of),
-- never past its data: days after it are missing, not elapsed. edition: the rule-set edition
-- of the period ($period_edition: its last or first day, transforms/rules/editions.yaml);
-- decimals / base_decimals: GB/T 8170 rounding of the figure as stated and of its base
-- indicator (rule set `rounding`), read by the verdicts (tp_rule_sets).
-- Needs tp_indicator_meta (registered from transforms/indicators.py), tp_standard_targets and
-- tp_rule_sets.
create or replace temp table tp_targets as
with all_targets as (
    select
        region_code,
        year,
        period,
        indicator,
        comparator,
        value,
        baseline_year,
        note,
        source,
        'target' as target_basis
    from targets
    union all
    select
        region_code,
        year,
        period,
        indicator,
        comparator,
        value,
        baseline_year,
        note,
        null::varchar as source,
        target_basis
    from tp_standard_targets
),

targets_in as (
    select
        row_number() over (
            order by region_code, year, period, indicator, comparator, source
        ) as target_id,
        region_code,
        year,
        period,
        indicator,
        comparator,
        value,
        coalesce(baseline_year, year - 1) as baseline_year,
        coalesce(note, source) as note,
        source,
        target_basis
    from all_targets
),

with_period as (
    select
        t.*,
        case
            when t.period = 'year' then make_date(t.year, 1, 1)
            when t.period like 'Q%' then make_date(t.year, 3 * (substr(t.period, 2)::integer - 1) + 1, 1)
            else make_date(t.year, substr(t.period, 2)::integer, 1)
        end as period_start,
        case
            when t.period = 'year' then 12
            when t.period like 'Q%' then 3
            else 1
        end as period_months
    from targets_in as t
),

with_bounds as (
    select
        p.*,
        (p.period_start + to_months(p.period_months) - interval 1 day)::date as period_end,
        (p.period_start - to_years(p.year - p.baseline_year))::date as base_start
    from with_period as p
),

with_domain as (
    select
        b.*,
        case m.domain
            when 'air' then $air_as_of::date
            when 'water' then $water_as_of::date
            else $as_of::date  -- rectification ledgers: the snapshot on or before as_of
        end as data_as_of
    from with_bounds as b
    inner join tp_indicator_meta as m on m.indicator = b.indicator
),

with_clock as (
    select
        b.*,
        (b.period_end - b.period_start + 1) as total_days,
        greatest(0, least(b.period_end, b.data_as_of) - b.period_start + 1) as elapsed_days,
        (b.base_start + to_months(b.period_months) - interval 1 day)::date as base_end,
        least(b.period_end, b.data_as_of) as so_far_end,
        case
            when (case $period_edition when 'first_day' then b.period_start else b.period_end end)
                < $switch_date::date
            then '2012'
            else '2026'
        end as edition
    from with_domain as b
),

named as (
    select
        c.*,
        m.domain,
        m.kind,
        m.better,
        m.pollutant,
        m.base,
        m.base_kind,
        m.base_pollutant,
        m.change_mode,
        m.unit,
        case m.base
            when 'good_rate' then rs.round_ratio
            when 'pm25_mean' then rs.round_pm25
            when 'pm10_mean' then rs.round_pm10
            when 'so2_mean' then rs.round_so2
            when 'no2_mean' then rs.round_no2
            when 'co_p95' then rs.round_co
            when 'o3_8h_p90' then rs.round_o3
            when 'composite_index' then rs.round_index
            when 'section_class' then 0
            else case when m.domain in ('water', 'rectification') then rs.round_ratio else 0 end
        end as base_decimals,
        rs.round_ratio,
        r.level as region_level,
        s.section_code is not null as is_section,
        r.region_code is not null or s.section_code is not null as is_known
    from with_clock as c
    inner join tp_indicator_meta as m on m.indicator = c.indicator
    inner join tp_rule_sets as rs on rs.edition = c.edition
    left join regions as r on r.region_code = c.region_code
    left join water_sections as s on s.section_code = c.region_code
),

final as (
    select
        target_id,
        region_code,
        year,
        period,
        indicator,
        comparator,
        value as target,
        baseline_year,
        note,
        source,
        target_basis,
        domain,
        kind,
        better,
        pollutant,
        base,
        base_kind,
        base_pollutant,
        change_mode,
        unit,
        edition,
        base_decimals,
        case
            when kind = 'change' and change_mode = 'pct' then round_ratio
            else base_decimals
        end as decimals,
        region_level,
        is_section,
        is_known,
        period_start,
        period_end,
        total_days::integer as total_days,
        elapsed_days::integer as elapsed_days,
        (total_days - elapsed_days)::integer as remaining_days,
        elapsed_days / total_days as elapsed_share,
        so_far_end,
        base_start,
        base_end,
        -- the same days-so-far stretch in the baseline year (for yoy figures)
        least(base_end, (so_far_end - to_years(year - baseline_year))::date) as base_so_far_end,
        $as_of::date as as_of,
        data_as_of
    from named
)

select * from final
