-- Section water-quality warnings (after the Yangtze basin warning rules):
-- level 2 when, for month M, the class of the month AND the class of the year to date
-- through M are both worse than the same period last year, both worse than class III, and
-- both miss the section's target class; level 1 when both are at least two classes worse
-- than last year. A warning clears itself: a later month where the condition no longer holds
-- ends it (cleared_in); `active` marks warnings of the latest month evaluated.
-- Reads water_section_period (month rows) and water_section_ytd_by_month.
with months as (
    select
        p.section_code,
        p.year,
        p.period,
        p.class as month_class,
        p.last_year_class as month_class_last_year,
        y.class as ytd_class,
        y.last_year_class as ytd_class_last_year,
        p.target_class
    from water_section_period p
    join water_section_ytd_by_month y
      on y.section_code = p.section_code and y.period = p.period
    where p.period_type = 'month'
),

evaluated as (
    select
        *,
        coalesce(
            month_class > month_class_last_year
            and ytd_class > ytd_class_last_year
            and month_class > 3 and ytd_class > 3
            and month_class > target_class and ytd_class > target_class,
            false
        ) as raised,
        month_class - month_class_last_year as month_drop,
        ytd_class - ytd_class_last_year as ytd_drop,
        max(period) over (partition by section_code) as latest_period
    from months
    where month_class is not null and ytd_class is not null
),

cleared as (
    select w.section_code, w.period, min(later.period) as cleared_in
    from evaluated w
    join evaluated later
      on later.section_code = w.section_code and later.period > w.period and not later.raised
    where w.raised
    group by w.section_code, w.period
),

final as (
    select
        e.section_code,
        e.period,
        case when e.month_drop >= 2 and e.ytd_drop >= 2 then 1 else 2 end as level,
        e.month_class,
        e.month_class_last_year,
        e.ytd_class,
        e.ytd_class_last_year,
        e.target_class,
        e.period = e.latest_period as active,
        c.cleared_in
    from evaluated e
    left join cleared c using (section_code, period)
    where e.raised
)

select * from final
order by section_code, period
