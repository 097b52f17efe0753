-- Period value of each item per section: the mean of the period's samples
-- (环办〔2011〕22号 §3.1, docs/standards.md §6.2; pH by its arithmetic mean), for months, quarters,
-- years, the year to date and the year to date through each month (for warnings).
-- Automatic and manual results: 《地表水环境质量监测数据统计技术规定（试行）》(2020) prefers
-- automatic-station data for pH, DO, CODMn, NH3-N, TP and TN ($auto_items); for those items
-- the automatic samples of the period are used when there are any, else the manual ones; for
-- every other item the manual samples are used when there are any, else the automatic ones.
-- n_samples: samples of the period's most-sampled item.
-- Parameters: $cutoff (timestamp: first instant after as_of), $as_of_month, $as_of_day,
-- $items (item codes to keep), $auto_items.
with samples as (
    select
        section_code,
        parameter as item,
        method,
        year(sampled_at) as year,
        month(sampled_at) as month,
        month(sampled_at) < $as_of_month
            or (month(sampled_at) = $as_of_month and day(sampled_at) <= $as_of_day) as in_ytd,
        value
    from water_section_samples
    where sampled_at < $cutoff
      and list_contains($items, parameter)
),

monthly as (
    -- sums and counts per month: every period below is a union of months (or month parts)
    select section_code, item, method, year, month, in_ytd, sum(value) as total, count(*) as n
    from samples
    group by all
),

section_months as (
    select distinct section_code, year, month as through_month
    from monthly
),

period_parts as (
    select section_code, item, method, year, total, n,
        'month' as period_type, strftime(make_date(year, month, 1), '%Y-%m') as period
    from monthly
    union all
    select section_code, item, method, year, total, n,
        'quarter', year::varchar || '-Q' || ((month - 1) // 3 + 1)::varchar
    from monthly
    union all
    select section_code, item, method, year, total, n,
        'year', year::varchar
    from monthly
    union all
    -- the same span of every year: 1 January .. the as_of month-day
    select section_code, item, method, year, total, n,
        'ytd', year::varchar || '-YTD'
    from monthly
    where in_ytd
    union all
    -- year to date through each month that has samples (warnings compare these)
    select m.section_code, m.item, m.method, m.year, m.total, m.n,
        'ytd_month', strftime(make_date(s.year, s.through_month, 1), '%Y-%m')
    from monthly m
    join section_months s
      on s.section_code = m.section_code and s.year = m.year and m.month <= s.through_month
),

by_method as (
    select
        section_code, item, method, period_type, period,
        min(year) as year, sum(total) as total, sum(n) as n,
        case
            when method = (case when list_contains($auto_items, item) then 'auto' else 'manual' end)
            then 1 else 2
        end as preference
    from period_parts
    group by section_code, item, method, period_type, period
),

chosen as (
    select *
    from by_method
    qualify preference = min(preference) over (
        partition by section_code, period_type, period, item
    )
),

final as (
    select
        section_code,
        period_type,
        period,
        year,
        item,
        total / n as value,
        method,
        max(n) over (partition by section_code, period_type, period) as n_samples
    from chosen
)

select * from final
order by section_code, period_type, period, item
