-- The public warehouse contract (README.md, "数据仓库（DuckDB）的公共视图"): pages, downloads and
-- outside checks read these views, so their names and columns stay as they are.

create or replace view villages as
select town_code, town_name, village_code, village_name, village_type, police_station
from place
order by sort_order;

create or replace view indicators as
select indicator_code, indicator_name, topic, department, unit, breakdown, kind, sensitive
from catalog_indicator
order by sort_order;

create or replace view indicator_values as
select
    s.year,
    s.town_code,
    f.village_code,
    p.village_name,
    f.indicator_code,
    i.indicator_name,
    i.topic,
    i.unit,
    f.value,
    f.qualifier,
    f.submission_id,
    s.file_name || '!' || s.sheet_name || '!' || f.cell as source_ref
from fact f
join submission s on s.submission_id = f.submission_id and s.status = 'loaded'
left join place p on p.village_code = f.village_code
left join catalog_indicator i on i.indicator_code = f.indicator_code;

create or replace view outreach_events as
select
    e.event_id, e.event_date, e.year, e.village_code, p.village_name, e.location, e.theme, e.partners,
    e.materials, e.materials_qualifier, e.banners, e.banners_qualifier,
    e.consultations, e.consultations_qualifier, e.participants, e.participants_qualifier,
    e.submission_id, e.source_ref
from event e
join submission s on s.submission_id = e.submission_id and s.status = 'loaded'
left join place p on p.village_code = e.village_code;

create or replace view submissions as
select submission_id, file_name, sha256, department, year, loaded_at, status, row_count
from submission;

-- Views beyond the contract, for the dashboard's ledger and frame.
create or replace view topics as
select topic, topic_name, department, breakdown
from catalog_topic
order by sort_order;

-- unfilled_villages: villages listed without a single number (NULL for forms and event lists).
-- town_code, town_name: whose sheet it is (a district's towns each send their own).
create or replace view submission_history as
select s.submission_id, s.file_name, s.sha256, s.department, s.topic, t.topic_name, s.year,
       s.loaded_at, s.status, s.row_count, s.superseded_by, s.unfilled_villages,
       s.town_code, town.town_name
from submission s
left join catalog_topic t using (topic)
left join (select distinct town_code, town_name from place) town using (town_code);

create or replace view load_log as
select attempt_id, attempted_at, file_name, sha256, status, error_count, errors
from load_attempt;

create or replace view warehouse_info as
select key, value from info;

create or replace view audit_trail as
select "at", actor, action, detail from audit;

create or replace view frozen_submissions as
select f.topic, t.topic_name, f.year, f.frozen_at, f.frozen_by
from frozen f
left join catalog_topic t using (topic);
