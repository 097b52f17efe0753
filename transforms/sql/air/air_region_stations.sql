-- Evaluation stations (评价点) of each region (HJ 663: a region's value is the mean of its
-- evaluation stations; control stations (对照点) never count).
-- A region's members: its own non-background stations, plus, for a city, the non-background
-- stations of its child regions that count toward the city's central-city value.
create or replace view air_region_stations as
with own_stations as (
    select
        s.region_code,
        s.station_code
    from stations as s
    where not s.is_background
        and s.region_code is not null
),

city_assessment_stations as (
    select
        c.region_code,
        s.station_code
    from stations as s
    inner join regions as child on child.region_code = s.region_code
    inner join regions as c on c.region_code = child.parent_code
    where not s.is_background
        and s.city_assessment
        and c.level = 'city'
),

final as (
    select region_code, station_code from own_stations
    union
    select region_code, station_code from city_assessment_stations
)

select * from final
