-- tp_rectification_progress: rectification_rate targets (docs/rectification.md) against the
-- latest ledger snapshot on or before the target's as-of date. The problems counted are those
-- whose responsible units name the target's region and, when the target names a source, whose
-- source contains it. actual = completed / problems (percent); the pace figure (base_actual)
-- is the share not overdue: completed, or still inside its deadline (序时进度). While days
-- remain, the final value can be anything: a completed problem can reopen (反弹) and a new
-- ledger can add problems, so nothing is certain before the period ends.
create or replace temp table tp_rectification_progress as
with targets as (
    select * from tp_targets where domain = 'rectification'
),

snapshot as (
    select t.target_id, max(p.snapshot_date) as snapshot_date
    from targets as t
    inner join rectification_problems as p on p.snapshot_date <= t.as_of
    group by t.target_id
),

scoped as (
    select t.target_id, p.*
    from targets as t
    inner join snapshot as s on s.target_id = t.target_id
    inner join rectification_problems as p
        on p.snapshot_date = s.snapshot_date
        and list_contains(p.region_codes, t.region_code)
        and (t.source is null or strpos(p.source, t.source) > 0)
),

counted as (
    select
        target_id,
        count(*) as problems,
        count(*) filter (where is_completed) as completed,
        count(*) filter (where is_completed or not is_overdue) as on_schedule
    from scoped
    group by target_id
),

final as (
    select
        t.target_id,
        100.0 * c.completed / c.problems as actual,
        t.target as target_abs,
        100.0 * c.on_schedule / c.problems as base_actual,
        null::double as last_year_actual,
        null::double as base_last_full,
        case when t.remaining_days > 0 then 0.0 else 100.0 * c.completed / c.problems end
            as final_low,
        case when t.remaining_days > 0 then 100.0 else 100.0 * c.completed / c.problems end
            as final_high,
        case
            when c.problems is null then 'no ledger problem of this region and source on or before the date'
        end as reason
    from targets as t
    left join counted as c on c.target_id = t.target_id
)

select * from final;
