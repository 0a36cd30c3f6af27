-- An audit entry names the submission it is about in a column of its own, so a rebuild
-- replays roll-backs from this field, not from the words of the entry's detail.
alter table audit add column subject varchar;
