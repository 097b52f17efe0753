-- One row per expectation and batch validated: what was checked, when, and what it found.
-- batch = the raw file (ingest hook), or the table / partition sample (envq validate).
create table if not exists validation_results (
    run_id varchar not null,
    suite varchar not null,            -- dataset suite, e.g. station_hourly, warehouse
    expectation varchar not null,      -- the check's name (also the quarantine reason)
    severity varchar not null,         -- critical / warning
    action varchar not null,           -- reject / quarantine / flag
    batch varchar not null,
    success boolean not null,
    element_count bigint,              -- rows (or station-days, runs ...) judged
    unexpected_count bigint not null,
    unexpected_sample varchar,         -- a few unexpected values as text
    validated_at timestamp not null default current_timestamp
);
