-- rectification_problems: every problem at every delivered ledger snapshot, with what the
-- supervision needs (docs/rectification.md): completed / closed, overdue and by how many
-- days, due soon, reopened (反弹: completed at an earlier snapshot, not completed now), the
-- regions its responsible units name, and its colour (白黄红三色督办).
-- Parameters: $completed, $closed (status lists), $lookback_words, $due_soon_days,
-- $red_when_reopened, $yellow_when_lagging.
create or replace table rectification_problems as
with snaps as (
    select
        s.*,
        list_contains($completed, s.status) as is_completed,
        list_contains($closed, s.status) as is_closed,
        list_bool_or([strpos(s.source, w) > 0 for w in $lookback_words]) as in_lookback
    from rectification_snapshots as s
),

history as (
    select
        s.*,
        lag(s.status) over w as previous_status,
        lag(s.snapshot_date) over w as previous_snapshot,
        coalesce(bool_or(s.is_completed) over (
            partition by s.source, s.problem_no order by s.snapshot_date
            rows between unbounded preceding and 1 preceding
        ), false) as was_completed,
        min(s.snapshot_date) over (partition by s.source, s.problem_no) as first_snapshot
    from snaps as s
    window w as (partition by s.source, s.problem_no order by s.snapshot_date)
),

-- regions named by a responsible unit ('汉滨区人民政府' names 汉滨区), and the city of a county
unit_regions as (
    select distinct h.snapshot_date, h.source, h.problem_no, r.region_code, r.parent_code, r.level
    from (select snapshot_date, source, problem_no, unnest(units) as unit from snaps) as h
    inner join regions as r on strpos(h.unit, r.name) > 0
),

problem_regions as (
    select snapshot_date, source, problem_no, list_sort(list_distinct(list(code))) as region_codes
    from (
        select snapshot_date, source, problem_no, region_code as code from unit_regions
        union all
        select snapshot_date, source, problem_no, parent_code from unit_regions
        where level = 'county' and parent_code is not null
    )
    group by all
),

-- a look-back problem whose description an earlier, non-look-back problem carried
moved as (
    select distinct l.source, l.problem_no
    from snaps as l
    inner join snaps as o
        on o.description = l.description and not o.in_lookback and o.snapshot_date <= l.snapshot_date
    where l.in_lookback
),

flagged as (
    select
        h.*,
        coalesce(p.region_codes, []::varchar[]) as region_codes,
        m.problem_no is not null as moved_into_lookback,
        h.was_completed and not h.is_completed as reopened,
        not h.is_completed and not coalesce(h.ongoing, false)
            and h.deadline < h.snapshot_date as is_overdue,
        not h.is_completed and not coalesce(h.ongoing, false)
            and h.deadline >= h.snapshot_date
            and h.deadline <= h.snapshot_date + $due_soon_days::integer as due_soon
    from history as h
    left join problem_regions as p using (snapshot_date, source, problem_no)
    left join moved as m using (source, problem_no)
),

final as (
    select
        snapshot_date,
        source,
        batch,
        problem_no,
        description,
        units,
        lead_unit,
        region_codes,
        feedback_date,
        deadline_text,
        deadline,
        ongoing,
        status,
        status_raw,
        previous_status,
        previous_status is distinct from status and previous_status is not null as status_changed,
        is_completed,
        is_closed,
        reopened,
        is_overdue,
        case when is_overdue then (snapshot_date - deadline)::integer end as days_overdue,
        due_soon,
        in_lookback,
        moved_into_lookback,
        case
            when is_overdue or (reopened and $red_when_reopened) then 'red'
            when not is_completed
                and (due_soon or (status = 'lagging' and $yellow_when_lagging)) then 'yellow'
            else 'white'
        end as colour,
        completed_date,
        closed_date,
        first_snapshot,
        remarks,
        source_file
    from flagged
)

select * from final;
