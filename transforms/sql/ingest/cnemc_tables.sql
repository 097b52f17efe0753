-- Tables of the CNEMC wide files (transforms/ingest/formats/cnemc.py) beyond schema.sql.

-- AQI and the publisher's derived values of the station files, one row per station-hour
-- (kept for audit; read them in long form through the view air_station_published).
-- Nine columns in one row cost DuckDB far less to store than nine long rows: a national year
-- is 14 million rows here instead of 114 million.
create table if not exists air_station_published_wide (
    station_code varchar not null,
    ts timestamp not null,             -- local CST, hour-ending
    aqi double,
    pm25_24h double,                   -- 24-h moving mean, µg/m³
    pm10_24h double,
    so2_24h double,
    no2_24h double,
    o3_24h double,                     -- 24-h maximum of 1-h O3
    o3_8h double,                      -- 8-h moving mean
    o3_8h_24h double,                  -- 24-h maximum of the 8-h mean
    co_24h double,                     -- mg/m³
    data_kind varchar not null,        -- realtime / audited
    source_file varchar not null
);

-- City values as CNEMC publishes them (china_cities_YYYYMMDD.csv), all 15 row types, kept
-- apart from the city values envq computes from station data.
create table if not exists air_city_hourly_published (
    city varchar not null,             -- Chinese city name as in the file header
    ts timestamp not null,             -- local CST, hour-ending
    type varchar not null,             -- aqi, pm25, pm25_24h, pm10, ..., co, co_24h
    value double not null,
    data_kind varchar not null,
    source_file varchar not null
);

-- What each audited file covered: its columns and its complete hour-type rows (type = row
-- type code). A realtime file never puts back a value that an audited file covered, not even
-- one the audited file left empty (withdrew) - audited data are never replaced by realtime.
create table if not exists cnemc_audited_columns (
    source_file varchar not null,
    series varchar not null            -- station code or city name
);

create table if not exists cnemc_audited_slots (
    source_file varchar not null,
    ts timestamp not null,
    type varchar not null              -- aqi, pm25, pm25_24h, ..., co_24h
);
