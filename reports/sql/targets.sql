-- Headline figures: one row per target of a region for the year, at the latest as_of <= $as_of.
with latest as (
    select max(as_of) as as_of
    from target_progress
    where region_code = $region
      and year = $year
      and as_of <= $as_of
),

final as (
    select
        tp.indicator,
        tp.period,
        tp.comparator,
        tp.target,
        tp.actual,
        tp.gap,
        tp.unit,
        tp.elapsed_share,
        tp.on_pace_value,
        tp.pace_gap,
        tp.required_rest_of_year,
        tp.good_days_needed,
        tp.non_good_days_allowed,
        tp.remaining_mean_ceiling,
        tp.remaining_days,
        tp.projected,
        tp.probability_of_meeting,
        tp.projection_method,
        tp.history_years,
        tp.history_span,
        tp.projection_futures,
        tp.last_year_actual,
        tp.status,
        tp.edition,
        tp.as_of
    from target_progress as tp
    inner join latest on tp.as_of = latest.as_of
    where tp.region_code = $region
      and tp.year = $year
)

select * from final
order by
    case period when 'year' then 0 else 1 end,
    indicator,
    period
