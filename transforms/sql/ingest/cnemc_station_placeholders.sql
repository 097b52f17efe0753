-- Stations with values in a CNEMC file but in no station list: an unregistered placeholder
-- (registered = false) so that the run summary and validation can name them; a station list
-- loaded later replaces the placeholder (transforms/ingest/engine.py, registry merge).
insert into stations (station_code, registered, source)
select s.series, false, $source_file
from cnemc_series as s
where s.has_values
    and not exists (select 1 from stations as t where t.station_code = s.series)
