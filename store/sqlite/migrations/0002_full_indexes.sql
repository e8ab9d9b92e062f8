-- The partial indexes of 0001 (WHERE col <> '') cannot serve "col = $param"
-- look-ups (the planner cannot prove the parameter is non-empty), so they
-- are replaced by full indexes.
DROP INDEX spans_session;
DROP INDEX spans_user;
DROP INDEX traces_session;
DROP INDEX traces_user;
DROP INDEX traces_run;
DROP INDEX traces_experiment;
CREATE INDEX spans_session ON spans (app_id, session_id);
CREATE INDEX spans_user ON spans (app_id, user_id);
CREATE INDEX traces_session ON traces (app_id, session_id, start_ns);
CREATE INDEX traces_user ON traces (app_id, user_id, start_ns);
CREATE INDEX traces_run ON traces (app_id, dataset_run_id);
CREATE INDEX traces_experiment ON traces (app_id, experiment_key);
