-- Core and bookkeeping tables of the envq warehouse (see docs/analysts.md for the data dictionary).
-- Marts (air_city_daily, air_region_annual, water_section_period, target_progress, ...) are
-- rebuilt by `envq build` and are not declared here.
-- No primary keys on the large fact tables: DuckDB's ART indexes slow bulk loads, so the
-- grain is kept by the loaders (delete-then-insert per key set) and checked by validation.

create table if not exists regions (
    region_code varchar primary key,   -- 行政区划代码 where known
    name varchar not null,             -- Chinese name as in the data
    name_en varchar,
    level varchar not null,            -- province / city / county
    parent_code varchar
);
-- From the national registry (transforms/reference/admin_divisions.csv) or computed for a
-- bureau's own rows; added in place so that older warehouses keep working.
alter table regions add column if not exists short_name varchar;     -- 安康, 海西州
alter table regions add column if not exists province_code varchar;  -- itself for provinces and municipalities
alter table regions add column if not exists kind varchar;           -- province, municipality, prefecture, direct_county, county
alter table regions add column if not exists source varchar;         -- national / config

-- Named lists of regions ranked among themselves (air_rankings scope 'list'): the ministry's
-- 168 key cities shipped with envq (transforms/reference/ranking_lists.csv), plus the
-- bureau's own lists (data/config/ranking_lists.csv, replacing a shipped list of the same name).
create table if not exists ranking_lists (
    list_name varchar not null,
    region_code varchar not null,
    name varchar
);

create table if not exists stations (
    station_code varchar primary key,  -- e.g. 1001A
    station_name varchar,
    region_code varchar,               -- the county/district (or city) the station stands in
    city varchar,                      -- city name as given by the station list
    lon double,
    lat double,
    is_background boolean not null default false,  -- 对照点: excluded from region values
    city_assessment boolean not null default false,  -- counts toward its city's central-city value
    registered boolean not null default true,  -- false: seen in data but in no station list
    source varchar                     -- config file or station-list file it came from
);
-- How a listed station got its region (城市 '寿光' via 寿光市), or why it has none.
alter table stations add column if not exists region_note varchar;

create table if not exists air_station_hourly (
    station_code varchar not null,
    ts timestamp not null,             -- local CST, hour-ending: ts H covers (H-1h, H]
    pollutant varchar not null,        -- pm25, pm10, so2, no2, co, o3
    value double not null,             -- µg/m³; co in mg/m³
    data_kind varchar not null,        -- realtime / audited
    source_file varchar not null
);

-- Values the publisher derived itself (AQI, *_24h, O3_8h, O3_8h_24h), kept for audit only.
create table if not exists air_station_published (
    station_code varchar not null,
    ts timestamp not null,
    type varchar not null,             -- aqi, pm25_24h, pm10_24h, so2_24h, no2_24h, o3_24h, o3_8h, o3_8h_24h, co_24h
    value double not null,
    source_file varchar not null
);

-- Daily city values as published by third parties (日期, AQI, 质量等级, ...), kept apart from
-- the values envq computes itself.
create table if not exists air_city_daily_published (
    city varchar not null,
    date date not null,
    aqi double,
    level varchar,
    pm25 double, pm10 double, so2 double, no2 double, co double, o3_8h double,
    source_file varchar not null
);

create table if not exists water_sections (
    section_code varchar primary key,
    section_name varchar not null,
    province varchar,
    river varchar,
    basin varchar,
    water_type varchar not null default 'river',   -- river / lake
    region_code varchar,
    control_level varchar,             -- national / provincial / municipal
    target_class integer,              -- 1..5
    is_drinking_source boolean not null default false,
    registered boolean not null default true
);
-- 所在地市 of an automatic-station section as the national site publishes it (its region_code
-- is matched from it, or from the section name, when the bureau does not configure it).
alter table water_sections add column if not exists locality varchar;

create table if not exists water_section_samples (
    section_code varchar not null,
    sampled_at timestamp not null,
    parameter varchar not null,        -- ph, do, codmn, nh3n, tp, tn, temp, cond, turb, chla, algae, ...
    value double not null,
    unit varchar,
    method varchar not null default 'auto',  -- auto (automatic station) / manual (laboratory)
    source_file varchar not null
);

-- The class the publisher printed beside a sample (水质类别), kept for comparison only.
create table if not exists water_sample_published_class (
    section_code varchar not null,
    sampled_at timestamp not null,
    published_class integer,           -- 1..6, 6 = 劣V
    station_status varchar,            -- 站点情况
    source_file varchar not null
);

create table if not exists load_log (
    sha256 varchar primary key,
    path varchar not null,
    format varchar,
    rows_loaded bigint not null default 0,
    rows_quarantined bigint not null default 0,
    loaded_at timestamp not null,
    status varchar not null,           -- loaded / failed / skipped
    message varchar
);

create table if not exists quarantine (
    source_file varchar not null,
    line_no bigint,                    -- 1-based line in the raw file (header = line 1)
    column_name varchar,
    reason varchar not null,           -- rule or expectation that the value broke
    raw varchar,                       -- the raw text of the cell or line
    run_id varchar,
    quarantined_at timestamp not null default current_timestamp
);

create table if not exists targets (
    region_code varchar not null,      -- a region code, or a section code for section targets
    year integer not null,
    period varchar not null,           -- year, Q1..Q4, M01..M12
    indicator varchar not null,
    comparator varchar not null,       -- <=, >=, <, >, ==
    value double not null,
    baseline_year integer,             -- for year-on-year targets
    note varchar,
    source varchar                     -- rectification targets: the inspection (问题来源) they count
);
-- warehouses made before rectification targets existed
alter table targets add column if not exists source varchar;

-- Rectification ledgers (督察整改台账): every problem at every delivered snapshot
-- (transforms/ingest/formats/rectification.py; marts in transforms/rectification/).
create table if not exists rectification_snapshots (
    snapshot_date date not null,
    source varchar not null,
    problem_no varchar not null,
    batch varchar,
    feedback_date date,
    description varchar,
    units varchar[],
    lead_unit varchar,
    measures varchar,
    deadline_text varchar,
    deadline date,
    ongoing boolean,
    status varchar not null,
    status_raw varchar,
    completed_date date,
    closed_date date,
    remarks varchar,
    source_file varchar
);
