-- Planner statistics. Every index starts with app_id, so without statistics
-- SQLite cannot tell a trace look-up (app_id, trace_id) from a time scan
-- (app_id, start_ns) and may pick the latter. These fixed figures describe
-- the expected shape of the data (about 8 spans a trace, one app) so the
-- planner always prefers the selective index; they are not recomputed.
ANALYZE sqlite_schema;
DELETE FROM sqlite_stat1 WHERE tbl IN ('spans', 'traces', 'scores');
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('spans',  'sqlite_autoindex_spans_1',  '1000000 1000000 8 1'),
    ('spans',  'spans_start',               '1000000 1000000 2'),
    ('spans',  'spans_type_start',          '1000000 1000000 400000 2'),
    ('spans',  'spans_session',             '1000000 1000000 40'),
    ('spans',  'spans_user',                '1000000 1000000 200'),
    ('traces', 'sqlite_autoindex_traces_1', '125000 125000 1'),
    ('traces', 'traces_start',              '125000 125000 1'),
    ('traces', 'traces_session',            '125000 125000 5 1'),
    ('traces', 'traces_user',               '125000 125000 25 1'),
    ('traces', 'traces_run',                '125000 125000 100'),
    ('traces', 'traces_experiment',         '125000 125000 100'),
    ('scores', 'sqlite_autoindex_scores_1', '10000 10000 1'),
    ('scores', 'scores_resource',           '10000 10000 2'),
    ('scores', 'scores_name',               '10000 10000 1000 1'),
    ('scores', 'scores_created',            '10000 10000 1');
ANALYZE sqlite_schema;
