-- Move rows of an older long air_station_published table into the wide table, then drop it
-- (the view of the same name replaces it). Those rows carried no data_kind: realtime.
insert into air_station_published_wide
select
    station_code,
    ts,
    max(value) filter (where type = 'aqi') as aqi,
    max(value) filter (where type = 'pm25_24h') as pm25_24h,
    max(value) filter (where type = 'pm10_24h') as pm10_24h,
    max(value) filter (where type = 'so2_24h') as so2_24h,
    max(value) filter (where type = 'no2_24h') as no2_24h,
    max(value) filter (where type = 'o3_24h') as o3_24h,
    max(value) filter (where type = 'o3_8h') as o3_8h,
    max(value) filter (where type = 'o3_8h_24h') as o3_8h_24h,
    max(value) filter (where type = 'co_24h') as co_24h,
    'realtime' as data_kind,
    max(source_file) as source_file
from air_station_published
group by station_code, ts;
drop table air_station_published;
