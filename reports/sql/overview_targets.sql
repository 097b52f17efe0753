-- The overview page's target columns: per region with targets of $year at the latest as-of
-- date on or before $as_of, the count of targets in each status and the most urgent target.
-- A region's targets are what its page shows: its own targets (the cards) and the class
-- targets of the water sections of the region and of its counties (the sections table).
-- Urgency (docs/reports.md): lost (cannot_be_met, or not_met once the period is over), then
-- off_track, at_risk, on_track, insufficient_data and not_evaluable, met; within one status
-- the lower probability
-- of meeting first, then the larger shortfall relative to the target (gap / |target|, so
-- that a year already closed still ranks its misses). A region's urgency is that of its most
-- urgent target, then more targets in that status, then the larger shortfall.
with latest as (
    select max(as_of) as as_of
    from target_progress
    where year = $year
      and as_of <= $as_of
),

members as (
    select
        r.region_code,
        r.region_code as target_code,
        cast(null as varchar) as section_name
    from regions as r
    union all
    select
        r.region_code,
        ws.section_code as target_code,
        ws.section_name
    from regions as r
    inner join regions as m on m.region_code = r.region_code or m.parent_code = r.region_code
    inner join water_sections as ws on ws.region_code = m.region_code
),

scored as (
    select
        m.region_code,
        m.section_name,
        tp.indicator,
        tp.period,
        tp.comparator,
        tp.target,
        tp.actual,
        tp.remaining_days,
        tp.good_days_needed,
        tp.remaining_mean_ceiling,
        tp.heavy_days_allowed,
        tp.days_over_target_allowed,
        tp.probability_of_meeting,
        tp.gap / nullif(abs(tp.target), 0) as shortfall,
        tp.status,
        case tp.status
            when 'cannot_be_met' then 0
            when 'not_met' then 0
            when 'off_track' then 1
            when 'at_risk' then 2
            when 'on_track' then 3
            when 'insufficient_data' then 4
            when 'not_evaluable' then 4
            when 'met' then 5
            else 4
        end as severity
    from members as m
    inner join target_progress as tp on tp.region_code = m.target_code
    inner join latest on tp.as_of = latest.as_of
    where tp.year = $year
      and (m.section_name is null or tp.indicator = 'section_class')
),

ordered as (
    select
        s.*,
        row_number() over (
            partition by s.region_code
            order by s.severity, s.probability_of_meeting nulls last, s.shortfall desc nulls last,
                s.indicator, s.period, s.section_name nulls first
        ) as urgency_no
    from scored as s
),

counts as (
    select
        region_code,
        count(*) as n_targets,
        count(*) filter (where status = 'cannot_be_met') as n_cannot_be_met,
        count(*) filter (where status = 'not_met') as n_not_met,
        count(*) filter (where status = 'off_track') as n_off_track,
        count(*) filter (where status = 'at_risk') as n_at_risk,
        count(*) filter (where status = 'on_track') as n_on_track,
        count(*) filter (where status = 'met') as n_met,
        count(*) filter (where status = 'insufficient_data') as n_insufficient_data,
        count(*) filter (where status not in (
            'cannot_be_met', 'not_met', 'off_track', 'at_risk', 'on_track', 'met',
            'insufficient_data'
        )) as n_not_evaluable,
        min(severity) as worst_severity
    from scored
    group by region_code
),

final as (
    select
        c.*,
        count(*) filter (where s.severity = c.worst_severity) as n_worst,
        min(s.probability_of_meeting) filter (where s.severity = c.worst_severity)
            as worst_probability,
        max(s.shortfall) filter (where s.severity = c.worst_severity) as worst_shortfall,
        any_value(o.indicator) as urgent_indicator,
        any_value(o.period) as urgent_period,
        any_value(o.section_name) as urgent_section,
        any_value(o.status) as urgent_status,
        any_value(o.comparator) as urgent_comparator,
        any_value(o.target) as urgent_target,
        any_value(o.actual) as urgent_actual,
        any_value(o.remaining_days) as urgent_remaining_days,
        any_value(o.good_days_needed) as urgent_good_days_needed,
        any_value(o.remaining_mean_ceiling) as urgent_mean_ceiling,
        any_value(o.heavy_days_allowed) as urgent_heavy_days_allowed,
        any_value(o.days_over_target_allowed) as urgent_days_over_allowed,
        any_value(o.probability_of_meeting) as urgent_probability
    from counts as c
    inner join scored as s on s.region_code = c.region_code
    inner join ordered as o on o.region_code = c.region_code and o.urgency_no = 1
    group by all
)

select * from final
