-- The water sections each water target is assessed on: the section itself for a section
-- target; for a region target, every registered section of the region and of the regions
-- below it (county -> city -> province), drinking-water sources only for
-- drinking_sources_met (环办〔2011〕22号 §6.5: region summaries over its sections).
create or replace temp table tp_water_members as
with water_targets as (
    select target_id, region_code, base, is_section
    from tp_targets
    where domain = 'water'
),

region_tree as (
    -- each region with itself and its ancestors
    select region_code, region_code as ancestor from regions
    union all
    select region_code, parent_code from regions where parent_code is not null
    union all
    select r.region_code, p.parent_code
    from regions as r
    inner join regions as p on p.region_code = r.parent_code
    where p.parent_code is not null
),

section_targets as (
    select
        t.target_id,
        s.section_code,
        s.water_type,
        s.target_class,
        s.is_drinking_source
    from water_targets as t
    inner join water_sections as s on s.section_code = t.region_code
    where t.is_section
),

region_targets as (
    select distinct
        t.target_id,
        s.section_code,
        s.water_type,
        s.target_class,
        s.is_drinking_source
    from water_targets as t
    inner join region_tree as rt on rt.ancestor = t.region_code
    inner join water_sections as s on s.region_code = rt.region_code
    where not t.is_section
        and (t.base <> 'drinking_sources_met' or s.is_drinking_source)
),

final as (
    select * from section_targets
    union all
    select * from region_targets
)

select * from final
