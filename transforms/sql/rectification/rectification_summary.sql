-- rectification_summary: the ledger's figures per snapshot, by source, batch, responsible
-- unit and region (and 'all'): totals, completed, closed, under way, overdue, due soon,
-- completion and closure rates (percent, 0.1), look-back, days overdue and colours.
create or replace table rectification_summary as
with keyed as (
    select 'all' as group_by, '全部' as group_key, * from rectification_problems
    union all by name
    select 'source' as group_by, source as group_key, * from rectification_problems
    union all by name
    select 'batch' as group_by, batch as group_key, * from rectification_problems where batch is not null
    union all by name
    select 'unit' as group_by, unnest(units) as group_key, * from rectification_problems
    union all by name
    select 'region' as group_by, unnest(region_codes) as group_key, * from rectification_problems
),

final as (
    select
        snapshot_date,
        group_by,
        group_key,
        count(*)::integer as problems,
        count(*) filter (where is_completed)::integer as completed,
        count(*) filter (where is_closed)::integer as closed,
        count(*) filter (where not is_completed)::integer as under_way,
        count(*) filter (where is_overdue)::integer as overdue,
        count(*) filter (where due_soon)::integer as due_soon,
        count(*) filter (where reopened)::integer as reopened,
        count(*) filter (where in_lookback)::integer as in_lookback,
        count(*) filter (where moved_into_lookback)::integer as moved_into_lookback,
        round_even(100.0 * count(*) filter (where is_completed) / count(*), 1) as completion_rate,
        round_even(100.0 * count(*) filter (where is_closed) / count(*), 1) as closure_rate,
        coalesce(sum(days_overdue), 0)::integer as days_overdue_total,
        max(days_overdue) as days_overdue_max,
        count(*) filter (where colour = 'red')::integer as red,
        count(*) filter (where colour = 'yellow')::integer as yellow,
        count(*) filter (where colour = 'white')::integer as white
    from keyed
    group by all
)

select * from final order by snapshot_date, group_by, group_key;
