-- Daily sums and counts of each assessed item at the sections of water targets, from
-- $first_date to $last_date, kept apart by preference: 0 for the preferred kind of result,
-- 1 for the other. 《地表水环境质量监测数据统计技术规定（试行）》(2020) prefers automatic-station
-- data for $auto_items and laboratory (manual) data for the other items; a period uses its
-- preferred results when it has any (as water_item_periods.sql). Period values are means of
-- the period's samples (环办〔2011〕22号 §3.1): a stretch's item mean is its sum over its count.
create or replace temp table tp_water_samples as
with wanted as (
    select distinct section_code from tp_water_members
),

samples as (
    select
        w.section_code,
        w.sampled_at::date as day,
        w.parameter,
        case
            when list_contains($auto_items::varchar[], w.parameter) = (w.method = 'auto') then 0
            else 1
        end as preference,
        w.value
    from water_section_samples as w
    inner join wanted using (section_code)
    where w.sampled_at::date between $first_date::date and $last_date::date
        and list_contains($items::varchar[], w.parameter)
        and isfinite(w.value)
),

final as (
    select
        section_code,
        day,
        parameter,
        preference,
        sum(value) as value_sum,
        count(*)::integer as value_n
    from samples
    group by section_code, day, parameter, preference
)

select * from final
