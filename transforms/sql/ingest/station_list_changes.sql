-- Stations of an incoming list whose coordinates differ from an earlier list's row
-- (configured rows are not compared: configuration wins and is never replaced by a file).
-- Reads the registered view `incoming_stations`; one row per changed code.
with earlier as (
    select station_code, lon, lat, source
    from stations
    where registered and coalesce(source, '') <> 'config'
),

incoming as (
    select station_code, lon, lat
    from incoming_stations
    where lon is not null or lat is not null
),

final as (
    select
        i.station_code,
        e.lon as old_lon,
        e.lat as old_lat,
        i.lon as new_lon,
        i.lat as new_lat,
        e.source as old_source
    from incoming i
    join earlier e using (station_code)
    where e.lon is distinct from i.lon or e.lat is distinct from i.lat
)

select * from final order by station_code
