-- Default reference lines (transforms/targets/standard_limits.py): for every region with
-- air days in a year up to $as_of and no configured air target of that year, one row per
-- GB 3095 grade II limit of the year's edition (tp_standard_limits, registered from the rule
-- sets), shaped like a target (comparator '<=', annual period), target_basis
-- 'standard_limit'.
create or replace temp table tp_standard_targets as
with region_years as (
    select distinct
        d.region_code,
        year(d.date)::integer as year
    from air_city_daily as d
    inner join regions as r on r.region_code = d.region_code
    where d.date <= $as_of::date
),

without_targets as (
    select ry.*
    from region_years as ry
    where not exists (
        select 1 from targets as t
        inner join tp_indicator_meta as m on m.indicator = t.indicator
        where t.region_code = ry.region_code
          and t.year = ry.year
          and m.domain = 'air'
    )
),

final as (
    select
        w.region_code,
        w.year,
        'year' as period,
        l.indicator,
        '<=' as comparator,
        l.value,
        null::integer as baseline_year,
        'GB 3095-' || l.edition || ' 二级标准限值' as note,
        'standard_limit' as target_basis
    from without_targets as w
    inner join tp_standard_limits as l on l.year = w.year
)

select * from final
