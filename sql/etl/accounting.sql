-- Every physical record of every input ends in exactly one outcome. row_outcomes is
-- the union of each source's outcome table (the load registry names them, see
-- src/stages/etl/accounting.rs); a record the loader re-joined to the one before it
-- has records = 2 and is counted as 'rejoined'. A row may stand for several records of
-- one outcome (`rows`; ratings count their kept and duplicate records that way).

CREATE VIEW outcome_counts AS
SELECT source, outcome, COALESCE(reason, '') AS reason, SUM(rows) AS rows, SUM(records) AS records
FROM row_outcomes
GROUP BY source, outcome, COALESCE(reason, '')
ORDER BY source, outcome, reason;

CREATE VIEW rejects AS
SELECT source, line, row_key, reason, detail
FROM row_outcomes
WHERE outcome = 'rejected'
ORDER BY source, line;
