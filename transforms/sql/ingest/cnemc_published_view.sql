-- air_station_published in long form (station_code, ts, type, value): the wide table unpivoted.
create or replace view air_station_published as
select station_code, ts, type, value, data_kind, source_file
from air_station_published_wide
unpivot (
    value for type in (aqi, pm25_24h, pm10_24h, so2_24h, no2_24h, o3_24h, o3_8h, o3_8h_24h, co_24h)
)
