-- Give listed stations without a region the configured region whose name is the station's
-- city ("安康" or "安康市"): a city-level region first, else a province-level one (北京,
-- 上海, 天津, 重庆). Only unambiguous matches are taken; configured stations are left alone.
with candidates as (
    select
        s.station_code,
        r.region_code,
        case r.level when 'city' then 1 else 2 end as preference
    from stations s
    join regions r
        on r.name = s.city or r.name = s.city || '市'
    where s.region_code is null
        and coalesce(s.source, '') <> 'config'
        and r.level in ('city', 'province')
),

best as (
    select
        station_code,
        min(preference) as preference
    from candidates
    group by station_code
),

final as (
    select
        c.station_code,
        min(c.region_code) as region_code
    from candidates c
    join best b using (station_code, preference)
    group by c.station_code
    having count(distinct c.region_code) = 1
)

update stations
set region_code = final.region_code
from final
where stations.station_code = final.station_code;
