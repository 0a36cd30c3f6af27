-- How many villages a per-village submission lists without a single number (NULL for a
-- town-level form or an event list): the ledger shows such a year as 部分 (partly filled).
alter table submission add column unfilled_villages integer;
