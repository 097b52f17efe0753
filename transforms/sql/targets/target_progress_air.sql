-- What each air target needs from the rest of its period (docs/target_progress.md):
-- actual so far, last year's value over the same days, pace, gap, good days still needed and
-- non-good days still allowed, heavy days still allowed, the highest mean allowed over the
-- remaining days (年剩余日控制值, over valid days: (T x (N + R) - S) / R), and the best and
-- worst final values the rest of the period can still produce (for certain / lost verdicts).
-- Year-on-year targets are turned into an absolute target on their base indicator
-- (pct: T_abs = last x (1 + v/100); diff: T_abs = last + v) so the same figures apply.
-- Rounding (GB/T 8170, docs/target_progress.md "Rounding"): the final figure is judged rounded
-- to base_decimals, so a `<=` target is met by any unrounded value below B = r + u/2 (u = one
-- unit of the last decimal, r = the largest publishable value meeting T), and by B itself
-- when r/u is even (half to even rounds B down to r); `>=` likewise above L = r - u/2. The
-- ceiling 年剩余日控制值 uses B, the good days still needed for a ratio use L, and the days over
-- the target value for a percentile count days above B. Last year's values: NULL without data.
create or replace temp table tp_air_progress as
with so_far as (
    select * from tp_air_stretches where stretch = 'so_far'
),

base_so_far as (
    select * from tp_air_stretches where stretch = 'base_so_far'
),

base_full as (
    select * from tp_air_stretches where stretch = 'base_full'
),

region_data as (
    select region_code, count(*) as n_rows
    from tp_air_days
    group by region_code
),

joined as (
    select
        t.*,
        coalesce(s.valid_days, 0) as valid_so_far,
        coalesce(s.good_days, 0) as good_so_far,
        coalesce(s.heavy_days, 0) as heavy_so_far,
        coalesce(s.pollutant_sum, 0) as sum_so_far,
        coalesce(s.pollutant_days, 0) as pollutant_days_so_far,
        s.base_value as base_actual,
        coalesce(s.is_complete, true) as is_complete,
        s.values_so_far,
        b.base_value as base_last_so_far,
        f.base_value as base_last_full,
        coalesce(rd.n_rows, 0) as region_rows,
        case t.base_pollutant
            when 'pm25' then $floor_pm25
            when 'pm10' then $floor_pm10
            when 'so2' then $floor_so2
            when 'no2' then $floor_no2
            when 'co' then $floor_co
            when 'o3_8h' then $floor_o3_8h
        end as mean_floor
    from tp_targets as t
    left join so_far as s on s.target_id = t.target_id
    left join base_so_far as b on b.target_id = t.target_id
    left join base_full as f on f.target_id = t.target_id
    left join region_data as rd on rd.region_code = t.region_code
    where t.domain = 'air'
),

with_target as (
    select
        j.*,
        case
            when j.kind <> 'change' then j.target
            when j.change_mode = 'pct' and j.base_last_full > 0
                then j.base_last_full * (1 + j.target / 100.0)
            when j.change_mode = 'diff' then j.base_last_full + j.target
        end as target_abs,
        case
            when j.kind <> 'change' then j.base_actual
            -- a change between the published (rounded) figures, as bulletins state it
            when j.change_mode = 'pct' and bulletin_round(j.base_last_so_far, j.base_decimals) > 0
                then 100.0 * (
                    bulletin_round(j.base_actual, j.base_decimals)
                    / bulletin_round(j.base_last_so_far, j.base_decimals) - 1
                )
            when j.change_mode = 'diff' then bulletin_round(j.base_actual, j.base_decimals)
                - bulletin_round(j.base_last_so_far, j.base_decimals)
        end as actual
    from joined as j
),

publishable as (
    -- r: the publishable value (multiple of u = 10^-base_decimals) that bounds the target
    select
        w.*,
        pow(10, -w.base_decimals) as step,
        case w.comparator
            when '<=' then floor(round(w.target_abs * pow(10, w.base_decimals), 6))
            when '<' then ceil(round(w.target_abs * pow(10, w.base_decimals), 6)) - 1
            when '>=' then ceil(round(w.target_abs * pow(10, w.base_decimals), 6))
            when '>' then floor(round(w.target_abs * pow(10, w.base_decimals), 6)) + 1
        end as r_units
    from with_target as w
),

bounded as (
    select
        p.*,
        case when p.comparator in ('<=', '<') then (p.r_units + 0.5) * p.step end as bound_high,
        case when p.comparator in ('>=', '>') then (p.r_units - 0.5) * p.step end as bound_low,
        p.r_units % 2 = 0 as bound_inclusive
    from publishable as p
),

over_target as (
    -- days so far above the target value, for percentile targets (O3-8h p90, CO p95)
    select
        w.target_id,
        count(*) filter (
            where case
                when w.bound_inclusive
                    then case w.base_pollutant when 'co' then d.co else d.o3_8h end > w.bound_high
                else case w.base_pollutant when 'co' then d.co else d.o3_8h end >= w.bound_high
            end
        )::integer as over_so_far
    from bounded as w
    inner join tp_air_days as d
        on d.region_code = w.region_code
        and d.date between w.period_start and w.so_far_end
    where w.base_kind = 'percentile'
    group by w.target_id
),

figures as (
    select
        w.*,
        o.over_so_far,
        case
            when w.base = 'good_days' then w.target_abs
            when w.base = 'good_rate' then w.bound_low / 100.0 * (w.valid_so_far + w.remaining_days)
        end as good_days_goal,
        case
            when w.base = 'good_rate' and w.bound_low is not null
                then case when w.bound_inclusive then '>=' else '>' end
            else w.comparator
        end as goal_comparator,
        case w.base_pollutant when 'co' then 0.95 when 'o3_8h' then 0.90 end as percentile_p
    from bounded as w
    left join over_target as o on o.target_id = w.target_id
),

needs as (
    select
        f.*,
        case
            when f.good_days_goal is null or f.comparator not in ('>=', '>') then null
            when f.goal_comparator = '>'
                then greatest(0, floor(f.good_days_goal - f.good_so_far + 1e-9) + 1)
            else greatest(0, ceil(f.good_days_goal - f.good_so_far - 1e-9))
        end::integer as good_days_needed,
        case
            when f.base <> 'heavy_days' or f.comparator not in ('<=', '<') then null
            when f.comparator = '<' then ceil(f.target_abs - 1e-9) - 1 - f.heavy_so_far
            else floor(f.target_abs + 1e-9) - f.heavy_so_far
        end::integer as heavy_days_allowed,
        case
            when f.base_kind = 'mean' and f.comparator in ('<=', '<') and f.remaining_days > 0
                then (f.bound_high * (f.pollutant_days_so_far + f.remaining_days) - f.sum_so_far)
                    / f.remaining_days
        end as remaining_mean_ceiling,
        case
            when f.base_kind = 'percentile' and f.comparator in ('<=', '<')
                then (
                    (f.pollutant_days_so_far + f.remaining_days)
                    - ceil(1 + (f.pollutant_days_so_far + f.remaining_days - 1) * f.percentile_p - 1e-9)
                    - coalesce(f.over_so_far, 0)
                )::integer
        end as days_over_target_allowed
    from figures as f
),

bounds as (
    -- lowest and highest final value of the base indicator the remaining days can produce;
    -- percentile and index bounds come from Python (tp_air_bounds)
    select
        n.*,
        case n.base
            when 'good_days' then n.good_so_far::double
            when 'heavy_days' then n.heavy_so_far::double
            when 'good_rate' then 100.0 * n.good_so_far / nullif(n.valid_so_far + n.remaining_days, 0)
            else case when n.base_kind = 'mean' then least(
                n.sum_so_far / nullif(n.pollutant_days_so_far, 0),
                (n.sum_so_far + n.mean_floor * n.remaining_days)
                    / nullif(n.pollutant_days_so_far + n.remaining_days, 0)
            ) end
        end as final_low,
        case n.base
            when 'good_days' then (n.good_so_far + n.remaining_days)::double
            when 'heavy_days' then (n.heavy_so_far + n.remaining_days)::double
            when 'good_rate' then 100.0 * (n.good_so_far + n.remaining_days)
                / nullif(n.valid_so_far + n.remaining_days, 0)
            else case
                when n.base_kind <> 'mean' then null
                when n.remaining_days = 0 then n.sum_so_far / nullif(n.pollutant_days_so_far, 0)
                else 'infinity'::double
            end
        end as final_high
    from needs as n
),

final as (
    select
        b.target_id,
        b.good_days_needed,
        case when b.good_days_needed is not null
            then b.remaining_days - b.good_days_needed end as non_good_days_allowed,
        b.heavy_days_allowed,
        b.remaining_mean_ceiling,
        b.days_over_target_allowed,
        b.target_abs,
        b.actual,
        b.base_actual,
        b.base_last_so_far as last_year_actual,
        b.base_last_full,
        b.is_complete,
        b.values_so_far,
        b.valid_so_far,
        b.good_so_far,
        b.heavy_so_far,
        b.pollutant_days_so_far,
        b.sum_so_far,
        b.final_low,
        b.final_high,
        case
            when not b.is_known then 'unknown region or section code ' || b.region_code
            when b.is_section then 'an air indicator needs a region code, not a section code'
            when b.region_rows = 0 then 'no air data for region ' || b.region_code
            when b.kind = 'change' and b.base_last_full is null
                then 'no ' || b.base || ' for the baseline year ' || b.baseline_year
            when b.kind = 'change' and b.change_mode = 'pct' and not b.base_last_full > 0
                then 'baseline ' || b.base || ' is zero: a relative change is undefined'
            when b.elapsed_days > 0 and b.base_actual is null
                then 'no valid data for ' || b.base || ' in the period so far'
            when b.elapsed_days > 0 and b.actual is null
                then 'no ' || b.base || ' over the same days of ' || b.baseline_year
        end as reason
    from bounds as b
)

select * from final
