-- Session summaries, maintained in the span write transaction like traces.
-- trace_sessions: a trace belongs to every session some span of it carries
-- (session IDs '' and 'null' excepted). sessions: one row per session,
-- aggregated from the traces rows of its member traces.
CREATE TABLE trace_sessions (
    app_id     TEXT NOT NULL,
    session_id TEXT NOT NULL,
    trace_id   TEXT NOT NULL,
    PRIMARY KEY (app_id, session_id, trace_id)
);
CREATE INDEX trace_sessions_trace ON trace_sessions (app_id, trace_id);

CREATE TABLE sessions (
    app_id       TEXT    NOT NULL,
    session_id   TEXT    NOT NULL,
    name         TEXT    NOT NULL DEFAULT '',
    start_ns     BIGINT NOT NULL,
    end_ns       BIGINT NOT NULL,
    trace_count  BIGINT NOT NULL DEFAULT 0,
    total_cost   DOUBLE PRECISION NOT NULL DEFAULT 0,
    total_tokens BIGINT NOT NULL DEFAULT 0,
    latency_ms   DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (app_id, session_id)
);
CREATE INDEX sessions_start ON sessions (app_id, start_ns, session_id);
CREATE INDEX sessions_end ON sessions (app_id, end_ns, session_id);
CREATE INDEX sessions_name ON sessions (app_id, name, session_id);
CREATE INDEX sessions_trace_count ON sessions (app_id, trace_count, session_id);
CREATE INDEX sessions_cost ON sessions (app_id, total_cost, session_id);
CREATE INDEX sessions_tokens ON sessions (app_id, total_tokens, session_id);
CREATE INDEX sessions_latency ON sessions (app_id, latency_ms, session_id);

INSERT INTO trace_sessions (app_id, session_id, trace_id)
SELECT DISTINCT app_id, session_id, trace_id FROM spans WHERE session_id <> '' AND session_id <> 'null';

INSERT INTO sessions (app_id, session_id, name, start_ns, end_ns, trace_count, total_cost, total_tokens, latency_ms)
SELECT ts.app_id, ts.session_id,
    COALESCE(MIN(NULLIF(t.session_name, '')), MIN(NULLIF(t.prompt_name, '')), MIN(NULLIF(t.name, '')), ''),
    MIN(t.start_ns), MAX(t.end_ns), COUNT(*), CAST(SUM(t.cost) AS DOUBLE PRECISION), CAST(SUM(t.tokens) AS BIGINT),
    MAX(t.latency_ms)
FROM trace_sessions ts JOIN traces t ON t.app_id = ts.app_id AND t.trace_id = ts.trace_id
GROUP BY ts.app_id, ts.session_id;
