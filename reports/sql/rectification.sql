-- The region's inspection problems (督察整改) at the latest ledger snapshot on or before the
-- as-of date: the problems whose responsible units name the region or one of its counties.
with snapshot as (
    select max(snapshot_date) as snapshot_date
    from rectification_problems
    where snapshot_date <= $as_of
),

final as (
    select
        p.snapshot_date,
        p.source,
        p.batch,
        p.problem_no,
        p.description,
        array_to_string(p.units, '、') as units,
        p.units as unit_list,
        p.lead_unit,
        p.deadline_text,
        p.deadline,
        p.ongoing,
        p.status,
        p.status_raw,
        p.is_completed,
        p.is_closed,
        p.reopened,
        p.is_overdue,
        p.days_overdue,
        p.due_soon,
        p.in_lookback,
        p.colour,
        p.completed_date,
        p.closed_date
    from rectification_problems as p
    inner join snapshot as s on s.snapshot_date = p.snapshot_date
    where list_contains(p.region_codes, $region)
)

select * from final
order by case colour when 'red' then 0 when 'yellow' then 1 else 2 end,
    days_overdue desc nulls last, source, problem_no
