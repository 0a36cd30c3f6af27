-- Internal tables of the warehouse. Pages, downloads and outside checks read the views
-- in views.sql, never these. Only counts are stored: no names, no ID numbers.

create table if not exists place (
    town_code      varchar not null,
    town_name      varchar not null,
    village_code   varchar primary key,
    village_name   varchar not null,
    village_type   varchar not null,
    police_station varchar not null,
    sort_order     integer not null
);

create table if not exists catalog_topic (
    topic      varchar primary key,
    topic_name varchar not null,
    department varchar not null,
    breakdown  varchar not null,
    layout     varchar not null,
    sort_order integer not null
);

create table if not exists catalog_indicator (
    indicator_code varchar primary key,
    indicator_name varchar not null,
    topic          varchar not null,
    department     varchar not null,
    unit           varchar not null,
    breakdown      varchar not null,
    kind           varchar not null,
    sensitive      boolean not null,
    better         varchar not null,
    parent_code    varchar,
    sort_order     integer not null
);

-- One row per load attempt of a file, refused ones included.
create table if not exists load_attempt (
    attempt_id   varchar primary key,
    attempted_at timestamp not null,
    file_name    varchar not null,
    sha256       varchar not null,
    status       varchar not null,   -- loaded | duplicate | rejected
    error_count  integer not null,
    errors       varchar not null,   -- JSON list of {sheet, cell, code, message}
    notices      varchar not null    -- JSON list of strings
);

-- One row per (file, sheet kind, year) that was loaded; superseded rows stay as history.
create table if not exists submission (
    submission_id varchar primary key,
    attempt_id    varchar not null,
    file_name     varchar not null,
    sheet_name    varchar not null,
    sha256        varchar not null,
    department    varchar not null,
    topic         varchar not null,
    year          integer not null,
    town_code     varchar not null,
    loaded_at     timestamp not null,
    status        varchar not null,  -- loaded | superseded
    row_count     integer not null,
    superseded_by varchar
);

-- One number of one submission. Its year, town and file come from the submission;
-- source_ref in the public view is file!sheet!cell.
create table if not exists fact (
    submission_id  varchar not null,
    village_code   varchar,           -- NULL for town-level indicators
    indicator_code varchar not null,
    value          bigint not null,
    qualifier      varchar not null,  -- exact | at_least | approx
    cell           varchar not null
);

create table if not exists event (
    event_id                varchar primary key,
    submission_id           varchar not null,
    event_date              date not null,
    year                    integer not null,
    village_code            varchar,
    location                varchar,
    theme                   varchar not null,
    partners                varchar,
    materials               bigint,
    materials_qualifier     varchar,
    banners                 bigint,
    banners_qualifier       varchar,
    consultations           bigint,
    consultations_qualifier varchar,
    participants            bigint,
    participants_qualifier  varchar,
    source_ref              varchar not null
);

create table if not exists info (
    key   varchar primary key,
    value varchar not null
);

-- Who loaded, superseded, refused, froze, rolled back or exported what, and when.
-- Only file names, codes, counts and filters: never a workbook's contents.
create table if not exists audit (
    "at"   timestamp not null,
    actor  varchar not null,
    action varchar not null,   -- load | supersede | reject | duplicate | roll_back | freeze | unfreeze | export
    detail varchar not null
);

-- A (topic, year) an admin froze: later loads of it are refused until it is unfrozen.
create table if not exists frozen (
    topic     varchar not null,
    year      integer not null,
    frozen_at timestamp not null,
    frozen_by varchar not null,
    primary key (topic, year)
);
