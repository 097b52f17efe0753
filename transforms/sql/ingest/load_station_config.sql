-- Replace the configured stations (source = 'config') by the rows of the registered view
-- `config_stations`. Configuration wins over any station list; a code that leaves the
-- configuration becomes an unregistered placeholder (registered = false) so that it stays
-- known and the next station list that names it replaces it.
update stations
set registered = false, source = null
where source = 'config'
    and station_code not in (select station_code from config_stations);

delete from stations
where station_code in (select station_code from config_stations);

insert into stations by name
select
    station_code,
    station_name,
    region_code,
    city,
    lon,
    lat,
    is_background,
    city_assessment,
    true as registered,
    'config' as source
from config_stations;
