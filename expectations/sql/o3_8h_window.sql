-- Published O3 8-h moving means (temp view validation_published_o3_8h: station_code, ts,
-- value; made by expectations/warehouse_checks.py from the published table) against the
-- 1-hour O3 values of their own window (hours h-7 .. h): a mean cannot exceed the largest
-- value it averages. Only windows holding >= $min_hours hourly values are judged (GB 3095
-- Table 4: an 8-h mean needs 6 values; with fewer the publisher's mean may use hours envq
-- never got). The window needs every hour of a station, so the check reads the stations of
-- the registered Arrow table validation_o3_stations (a sample chosen in Python).
create or replace temp table validation_o3_8h as
with hourly as (
    select
        h.station_code,
        h.ts,
        max(h.value) over w as max_1h,
        count(h.value) over w as hours
    from air_station_hourly as h
    semi join validation_o3_stations as s
        on h.station_code = s.station_code
    where h.pollutant = 'o3'
        and h.ts > $period_start - interval 7 hour
        and h.ts <= $period_end
    window w as (
        partition by h.station_code
        order by h.ts
        range between interval 7 hour preceding and current row
    )
),

published as (
    select p.station_code, p.ts, p.value
    from validation_published_o3_8h as p
    semi join validation_o3_stations as s
        on p.station_code = s.station_code
    where p.ts > $period_start
        and p.ts <= $period_end
),

final as (
    select
        p.station_code,
        p.ts,
        p.value as o3_8h,
        o.max_1h,
        o.hours,
        p.value > o.max_1h as exceeds
    from published as p
    inner join hourly as o
        on p.station_code = o.station_code
        and p.ts = o.ts
    where o.hours >= $min_hours
)

select * from final
