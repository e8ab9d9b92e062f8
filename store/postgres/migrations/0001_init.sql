-- Spans: one row per span, unique per (app_id, trace_id, span_id) (re-writes upsert).
CREATE TABLE spans (
    app_id                  TEXT    NOT NULL,
    trace_id                TEXT COLLATE "C"    NOT NULL,
    span_id                 TEXT COLLATE "C"    NOT NULL,
    parent_span_id          TEXT    NOT NULL DEFAULT '',
    trace_state             TEXT    NOT NULL DEFAULT '',
    type                    TEXT    NOT NULL DEFAULT 'SPAN',
    start_ns                BIGINT NOT NULL,
    end_ns                  BIGINT NOT NULL,
    duration_ms             DOUBLE PRECISION NOT NULL DEFAULT 0,
    name                    TEXT COLLATE "C"    NOT NULL DEFAULT '',
    kind                    TEXT    NOT NULL DEFAULT '',
    semantic_kind           TEXT    NOT NULL DEFAULT '',
    service_name            TEXT    NOT NULL DEFAULT '',
    status_code             TEXT    NOT NULL DEFAULT '0',
    status_message          TEXT    NOT NULL DEFAULT '',
    model                   TEXT COLLATE "C"    NOT NULL DEFAULT '',
    input_tokens            BIGINT NOT NULL DEFAULT 0,
    output_tokens           BIGINT NOT NULL DEFAULT 0,
    total_tokens            BIGINT NOT NULL DEFAULT 0,
    cached_tokens           BIGINT NOT NULL DEFAULT 0,
    reasoning_tokens        BIGINT NOT NULL DEFAULT 0,
    cost                    DOUBLE PRECISION NOT NULL DEFAULT 0,
    cost_known              BIGINT NOT NULL DEFAULT 0,
    finish_reason           TEXT    NOT NULL DEFAULT '',
    settings                TEXT    NOT NULL DEFAULT '',
    session_id              TEXT COLLATE "C"    NOT NULL DEFAULT '',
    session_name            TEXT    NOT NULL DEFAULT '',
    user_id                 TEXT COLLATE "C"    NOT NULL DEFAULT '',
    trace_name              TEXT    NOT NULL DEFAULT '',
    dataset_run_id          TEXT    NOT NULL DEFAULT '',
    dataset_run_name        TEXT    NOT NULL DEFAULT '',
    dataset_path            TEXT    NOT NULL DEFAULT '',
    dataset_item_name       TEXT    NOT NULL DEFAULT '',
    experiment_key          TEXT    NOT NULL DEFAULT '',
    source_tree_hash        TEXT    NOT NULL DEFAULT '',
    prompt_name             TEXT COLLATE "C"    NOT NULL DEFAULT '',
    props                   TEXT    NOT NULL DEFAULT '',
    commit_sha              TEXT    NOT NULL DEFAULT '',
    environment             TEXT    NOT NULL DEFAULT '',
    metadata                JSONB   NOT NULL DEFAULT '{}',  -- JSON object of strings
    tags                    JSONB   NOT NULL DEFAULT '[]',  -- JSON array of strings
    input                   TEXT    NOT NULL DEFAULT '',
    output                  TEXT    NOT NULL DEFAULT '',
    output_object           TEXT    NOT NULL DEFAULT '',
    tool_calls              TEXT    NOT NULL DEFAULT '',
    dataset_expected_output TEXT    NOT NULL DEFAULT '',
    dataset_input           TEXT    NOT NULL DEFAULT '',
    resource_attributes     TEXT    NOT NULL DEFAULT '',
    span_attributes         TEXT    NOT NULL DEFAULT '',
    events                  TEXT    NOT NULL DEFAULT '',
    links                   TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (app_id, trace_id, span_id)
);
CREATE INDEX spans_start ON spans (app_id, start_ns DESC);
CREATE INDEX spans_type_start ON spans (app_id, type, start_ns);
CREATE INDEX spans_session ON spans (app_id, session_id) WHERE session_id <> '';
CREATE INDEX spans_user ON spans (app_id, user_id) WHERE user_id <> '';

-- Traces: one rollup row per trace, rebuilt from its spans in the span write transaction.
CREATE TABLE traces (
    app_id           TEXT    NOT NULL,
    trace_id         TEXT COLLATE "C"    NOT NULL,
    name             TEXT COLLATE "C"    NOT NULL DEFAULT '',
    status_code      BIGINT NOT NULL DEFAULT 0,  -- 0 UNSET, 1 OK, 2 ERROR
    status_message   TEXT    NOT NULL DEFAULT '',
    start_ns         BIGINT NOT NULL,
    end_ns           BIGINT NOT NULL,
    latency_ms       DOUBLE PRECISION NOT NULL DEFAULT 0,
    cost             DOUBLE PRECISION NOT NULL DEFAULT 0,
    tokens           BIGINT NOT NULL DEFAULT 0,
    input_tokens     BIGINT NOT NULL DEFAULT 0,
    output_tokens    BIGINT NOT NULL DEFAULT 0,
    span_count       BIGINT NOT NULL DEFAULT 0,
    error_count      BIGINT NOT NULL DEFAULT 0,
    tags             JSONB   NOT NULL DEFAULT '[]',
    models           JSONB   NOT NULL DEFAULT '[]',
    input_preview    TEXT    NOT NULL DEFAULT '',
    output_preview   TEXT    NOT NULL DEFAULT '',
    has_input        BIGINT NOT NULL DEFAULT 0,
    has_output       BIGINT NOT NULL DEFAULT 0,
    session_id       TEXT COLLATE "C"    NOT NULL DEFAULT '',
    session_name     TEXT    NOT NULL DEFAULT '',
    user_id          TEXT COLLATE "C"    NOT NULL DEFAULT '',
    dataset_run_id   TEXT    NOT NULL DEFAULT '',
    dataset_run_name TEXT    NOT NULL DEFAULT '',
    dataset_path     TEXT    NOT NULL DEFAULT '',
    experiment_key   TEXT    NOT NULL DEFAULT '',
    prompt_name      TEXT COLLATE "C"    NOT NULL DEFAULT '',
    commit_sha       TEXT    NOT NULL DEFAULT '',
    environment      TEXT    NOT NULL DEFAULT '',
    metadata         JSONB   NOT NULL DEFAULT '{}',
    PRIMARY KEY (app_id, trace_id)
);
CREATE INDEX traces_start ON traces (app_id, start_ns DESC);
CREATE INDEX traces_session ON traces (app_id, session_id, start_ns) WHERE session_id <> '';
CREATE INDEX traces_user ON traces (app_id, user_id, start_ns) WHERE user_id <> '';
CREATE INDEX traces_run ON traces (app_id, dataset_run_id) WHERE dataset_run_id <> '';
CREATE INDEX traces_experiment ON traces (app_id, experiment_key) WHERE experiment_key <> '';

-- Scores: append-only.
CREATE TABLE scores (
    app_id      TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    resource_id TEXT    NOT NULL,
    name        TEXT COLLATE "C"    NOT NULL,
    value       DOUBLE PRECISION NOT NULL,
    label       TEXT    NOT NULL DEFAULT '',
    reason      TEXT    NOT NULL DEFAULT '',
    source      TEXT    NOT NULL DEFAULT 'api',
    user_id     TEXT COLLATE "C"    NOT NULL DEFAULT '',
    data_type   TEXT    NOT NULL DEFAULT '',
    environment TEXT    NOT NULL DEFAULT '',
    created_ns  BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);
CREATE INDEX scores_resource ON scores (app_id, resource_id);
CREATE INDEX scores_name ON scores (app_id, name, created_ns);
CREATE INDEX scores_created ON scores (app_id, created_ns DESC);

-- Tag and model look-ups (jsonb ? 'x') on the trace list.
CREATE INDEX traces_tags ON traces USING GIN (tags);
CREATE INDEX traces_models ON traces USING GIN (models);
