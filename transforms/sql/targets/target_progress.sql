-- target_progress rows for $as_of: every target with its figures, projection and status.
-- Status rule (docs/target_progress.md), first match wins:
--   not_evaluable  the data cannot evaluate the target (reason given), or its period has not
--                  started (no data yet: not zero);
--   insufficient_data  (数据不足) a concentration statistic that cannot be (or, for a period in
--                  progress, can no longer become) complete by GB 3095 Table 4;
--   met / not_met  the period is over: the final value meets the target or not;
--   met            already certain: even the worst rest of the period still meets it;
--   cannot_be_met  mathematically lost: even the best rest of the period misses it;
--   on_track / at_risk / off_track  from the projected probability of meeting the target
--                  (>= $on_track_probability, >= $at_risk_probability, below), or, with no
--                  projection, from the pace: the value so far against the on-pace value.
-- Every comparison is of the figure rounded as published (GB/T 8170, bulletin_round to
-- base_decimals): best and worst final values, the value so far against the pace. actual,
-- last_year_actual and the changes are the rounded figures; actual_unrounded keeps the
-- exact value. Needs tp_targets, tp_air_progress, tp_water_progress, tp_projection and the
-- assessment macros (transforms/assessment.py).
-- how far value stands from goal in the bad direction (> 0: short of it; for '=' the distance)
create or replace temp macro gap_to(comparator, goal, value) as
    case
        when comparator in ('>=', '>') then goal - value
        when comparator in ('<=', '<') then value - goal
        else abs(value - goal)
    end;

create or replace temp table tp_result as
with parts as (
    select * from tp_air_progress
    union all by name
    select * from tp_water_progress
    union all by name
    select * from tp_rectification_progress
),

joined as (
    select
        t.*,
        p.* exclude (target_id),
        j.* exclude (target_id),
        bulletin_round(coalesce(p.final_low, j.bound_low), t.base_decimals) as lo,
        bulletin_round(coalesce(p.final_high, j.bound_high), t.base_decimals) as hi,
        bulletin_round(p.base_actual, t.base_decimals) as base_shown,
        coalesce(p.is_complete, true) as statistic_complete
    from tp_targets as t
    inner join parts as p on p.target_id = t.target_id
    left join tp_projection as j on j.target_id = t.target_id
),

verdicts as (
    select
        j.*,
        case j.comparator
            when '>=' then j.lo >= j.target_abs - 1e-9
            when '>' then j.lo > j.target_abs + 1e-9
            when '<=' then j.hi <= j.target_abs + 1e-9
            when '<' then j.hi < j.target_abs - 1e-9
            else j.lo = j.hi and abs(j.lo - j.target_abs) <= 1e-9
        end as is_certain,
        case j.comparator
            when '>=' then j.hi < j.target_abs - 1e-9
            when '>' then j.hi <= j.target_abs + 1e-9
            when '<=' then j.lo > j.target_abs + 1e-9
            when '<' then j.lo >= j.target_abs - 1e-9
            else j.target_abs < j.lo - 1e-9 or j.target_abs > j.hi + 1e-9
        end as is_lost,
        case
            when j.base_kind = 'count' then j.target_abs * j.elapsed_share
            else j.target_abs
        end as pace_base,
        case
            when j.kind = 'change' and j.base_kind <> 'count' then j.target
            else j.target * case when j.base_kind = 'count' then j.elapsed_share else 1 end
        end as on_pace_value
    from joined as j
),

paced as (
    select
        v.*,
        case
            when v.base_shown is null or v.pace_base is null then null
            when v.comparator in ('>=', '>') then
                case
                    when v.base_shown >= v.pace_base - 1e-9 then 'on_track'
                    when v.base_shown >= v.pace_base * (1 - $pace_margin) - 1e-9 then 'at_risk'
                    else 'off_track'
                end
            when v.comparator in ('<=', '<') then
                case
                    when v.base_shown <= v.pace_base + 1e-9 then 'on_track'
                    when v.base_shown <= v.pace_base * (1 + $pace_margin) + 1e-9 then 'at_risk'
                    else 'off_track'
                end
            else
                case
                    when abs(v.base_shown - v.pace_base) <= 1e-9 then 'on_track'
                    when abs(v.base_shown - v.pace_base) <= abs(v.pace_base) * $pace_margin
                        then 'at_risk'
                    else 'off_track'
                end
        end as pace_status
    from verdicts as v
),

judged as (
    select
        p.*,
        case
            when p.reason is not null then 'not_evaluable'
            when p.elapsed_days = 0 then 'not_evaluable'
            when not p.statistic_complete then 'validity'
            when p.remaining_days = 0 and p.is_certain then 'final'
            when p.remaining_days = 0 and p.is_lost then 'final'
            when p.is_certain then 'certain'
            when p.is_lost then 'lost'
            when p.probability_of_meeting is not null then 'projection'
            when p.pace_status is not null then 'pace'
            else 'not_evaluable'
        end as status_basis
    from paced as p
),

final as (
    select
        region_code,
        year,
        period,
        as_of,
        indicator,
        domain,
        comparator,
        target,
        bulletin_round(actual, decimals) as actual,
        actual as actual_unrounded,
        gap_to(comparator, target, bulletin_round(actual, decimals)) as gap,
        unit,
        period_start,
        period_end,
        elapsed_days,
        remaining_days,
        elapsed_share,
        on_pace_value,
        gap_to(comparator, on_pace_value, bulletin_round(actual, decimals)) as pace_gap,
        case
            when base in ('good_days', 'good_rate') then good_days_needed::double
            when base = 'heavy_days' then heavy_days_allowed::double
            when base_kind = 'mean' then remaining_mean_ceiling
            when base_kind = 'percentile' then days_over_target_allowed::double
        end as required_rest_of_year,
        good_days_needed,
        non_good_days_allowed,
        remaining_mean_ceiling,
        heavy_days_allowed,
        days_over_target_allowed,
        case when kind = 'change' then target_abs end as target_base_value,
        projected,
        projected_low,
        projected_high,
        probability_of_meeting,
        projection_method,
        history_years,
        history_span,
        projection_futures,
        bulletin_round(last_year_actual, base_decimals) as last_year_actual,
        case when kind <> 'change' then
            bulletin_round(actual, decimals) - bulletin_round(last_year_actual, base_decimals)
        end as yoy_change,
        case
            when kind <> 'change' and bulletin_round(last_year_actual, base_decimals) > 0
                then 100.0 * (
                    bulletin_round(actual, decimals)
                    / bulletin_round(last_year_actual, base_decimals) - 1
                )
        end as yoy_change_pct,
        case status_basis
            when 'not_evaluable' then 'not_evaluable'
            when 'final' then case when is_certain then 'met' else 'not_met' end
            when 'certain' then 'met'
            when 'lost' then 'cannot_be_met'
            when 'validity' then 'insufficient_data'
            when 'projection' then
                case
                    when probability_of_meeting >= $on_track_probability then 'on_track'
                    when probability_of_meeting >= $at_risk_probability then 'at_risk'
                    else 'off_track'
                end
            else pace_status
        end as status,
        status_basis,
        status_basis not in ('not_evaluable', 'validity') as evaluable,
        coalesce(
            reason,
            case
                when status_basis = 'not_evaluable' and elapsed_days = 0
                    then 'no data yet in the period: it starts on ' || period_start
                        || ', the data end on ' || data_as_of
                when status_basis = 'not_evaluable' then 'no value so far and no projection'
                when status_basis = 'validity'
                    then 'insufficient data (数据不足): ' || coalesce(values_so_far, 0)
                        || ' valid daily values in ' || elapsed_days
                        || ' days; GB 3095 Table 4 needs 324 a year and 27 in each month'
                        || ' (25 in February)'
            end
        ) as reason,
        projection_reason,
        note,
        edition,
        data_as_of
    from judged
)

select * from final
