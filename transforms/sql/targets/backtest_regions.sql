-- Backtest scratch warehouse only: a station with hourly data that the registry does not place
-- in a region becomes a region of its own (code = station code), so its daily series is
-- backtested as a city's would be.
insert or ignore into regions (region_code, name, level)
select distinct h.station_code, h.station_code, 'city'
from air_station_hourly as h
left join stations as s on s.station_code = h.station_code
where s.region_code is null;

update stations set region_code = station_code
where region_code is null
    and station_code in (select distinct station_code from air_station_hourly);

insert or ignore into stations (station_code, station_name, region_code, registered, source)
select distinct h.station_code, h.station_code, h.station_code, false, 'backtest'
from air_station_hourly as h
where h.station_code not in (select station_code from stations);
