package sqlcore

import (
	"context"
	"hash/fnv"
	"sort"
	"strings"
)

// Session summaries. trace_sessions holds the membership (a trace belongs to
// every session some span of it carries, '' and "null" excepted); sessions
// holds one row per session aggregated from the traces rows of its members.
// Both are maintained in the span write transaction, after the traces
// upsert: the membership of the touched traces is diffed in memory (the
// rollup knows every span of them before and after the batch) and the rows
// of every session a touched trace was or is in are recomputed.

// SessionPair is one (session, trace) membership.
type SessionPair struct{ Session, Trace string }

// SessionDelta is the session maintenance of one batch.
type SessionDelta struct {
	Removed, Added []SessionPair
	Affected       []string // sorted session IDs whose rows are recomputed
}

// Empty reports whether the delta has nothing to do.
func (d *SessionDelta) Empty() bool { return len(d.Affected) == 0 }

func validSession(id string) bool { return id != "" && id != "null" }

// SessionsAggSelect selects (app_id, session_id, name, start_ns, end_ns,
// trace_count, total_cost, total_tokens, latency_ms) from trace_sessions ts
// joined to traces t; the caller appends the WHERE clause and then
// SessionsGroupBy.
const SessionsAggSelect = "SELECT ts.app_id, ts.session_id, COALESCE(MIN(NULLIF(t.session_name, '')), " +
	"MIN(NULLIF(t.prompt_name, '')), MIN(NULLIF(t.name, '')), ''), MIN(t.start_ns), MAX(t.end_ns), COUNT(*), " +
	"CAST(SUM(t.cost) AS DOUBLE PRECISION), CAST(SUM(t.tokens) AS BIGINT), MAX(t.latency_ms) " +
	"FROM trace_sessions ts JOIN traces t ON t.app_id = ts.app_id AND t.trace_id = ts.trace_id WHERE "

// SessionsGroupBy ends a SessionsAggSelect query.
const SessionsGroupBy = " GROUP BY ts.app_id, ts.session_id"

// SessionsInsert is the column list of the sessions upsert.
const SessionsInsert = "INSERT INTO sessions (app_id, session_id, name, start_ns, end_ns, trace_count, total_cost, total_tokens, latency_ms) "

// SessionsOnConflict ends the sessions upsert (SessionsInsert +
// SessionsAggSelect + where + SessionsGroupBy + SessionsOnConflict), which
// rewrites the rows of the sessions that still have traces.
const SessionsOnConflict = " ON CONFLICT (app_id, session_id) DO UPDATE SET name = excluded.name, start_ns = excluded.start_ns, " +
	"end_ns = excluded.end_ns, trace_count = excluded.trace_count, total_cost = excluded.total_cost, " +
	"total_tokens = excluded.total_tokens, latency_ms = excluded.latency_ms"

// SessionsEmptyDelete ends "DELETE FROM sessions WHERE app_id = app AND
// session_id IN (...)": it removes the rows of sessions left without traces.
func SessionsEmptyDelete(app string) string {
	return " AND NOT EXISTS (SELECT 1 FROM trace_sessions ts WHERE ts.app_id = " + app +
		" AND ts.session_id = sessions.session_id)"
}

// Emptied returns the sorted sessions that lost a trace (the only ones
// that can be left empty).
func (d *SessionDelta) Emptied() []string {
	var out []string
	for i, p := range d.Removed {
		if i == 0 || p.Session != d.Removed[i-1].Session {
			out = append(out, p.Session)
		}
	}
	return out
}

// Sessions returns the session delta of a batch (the same arguments as
// TraceRows): the old membership of each trace is read off the spans it
// held before the batch.
func (r *Rollup) Sessions(spanRows [][]any, traceIDs []string) SessionDelta {
	return r.sessions(spanRows, traceIDs, nil)
}

// sessions computes the delta; old, when non-nil, is the stored membership
// of each trace instead of the one the pre-batch spans give.
func (r *Rollup) sessions(spanRows [][]any, traceIDs []string, old map[string]map[string]bool) SessionDelta {
	type bs struct{ span, sess string }
	batch := map[string][]bs{}
	for _, a := range spanRows {
		tid := a[colTraceID].(string)
		batch[tid] = append(batch[tid], bs{a[colSpanID].(string), a[colSessID].(string)})
	}
	var d SessionDelta
	affected := map[string]bool{}
	done := map[string]bool{}
	for _, id := range traceIDs {
		id = clean(id)
		if done[id] {
			continue
		}
		done[id] = true
		var before map[string]bool
		if old != nil {
			before = old[id]
		} else {
			before = map[string]bool{}
			for _, s := range r.pre[id] {
				if validSession(s.sessionID) {
					before[s.sessionID] = true
				}
			}
		}
		after := map[string]bool{}
		replaced := map[string]bool{}
		for _, s := range batch[id] {
			replaced[s.span] = true
			if validSession(s.sess) {
				after[s.sess] = true
			}
		}
		for _, s := range r.pre[id] {
			if !replaced[s.spanID] && validSession(s.sessionID) {
				after[s.sessionID] = true
			}
		}
		for sid := range before {
			affected[sid] = true
			if !after[sid] {
				d.Removed = append(d.Removed, SessionPair{sid, id})
			}
		}
		for sid := range after {
			affected[sid] = true
			if !before[sid] {
				d.Added = append(d.Added, SessionPair{sid, id})
			}
		}
	}
	for sid := range affected {
		d.Affected = append(d.Affected, sid)
	}
	sort.Strings(d.Affected)
	less := func(ps []SessionPair) func(i, j int) bool {
		return func(i, j int) bool {
			if ps[i].Session != ps[j].Session {
				return ps[i].Session < ps[j].Session
			}
			return ps[i].Trace < ps[j].Trace
		}
	}
	sort.Slice(d.Removed, less(d.Removed))
	sort.Slice(d.Added, less(d.Added))
	return d
}

// SessionLockKeys returns sorted advisory-lock keys (int4, for the two-key
// lock space, which does not overlap the one-key space of LockKeys) for the
// affected sessions.
func SessionLockKeys(appID string, sessions []string) []int32 {
	keys := make([]int32, 0, len(sessions))
	for _, s := range sessions {
		h := fnv.New32a()
		h.Write([]byte(appID))
		h.Write([]byte{0})
		h.Write([]byte(s))
		keys = append(keys, int32(h.Sum32()))
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// WriteSessions applies a session delta inside the caller's transaction,
// after the traces rows are up to date (generic SQL, for backends with a
// single writer; a concurrent backend must serialize on the affected
// sessions first).
func WriteSessions(ctx context.Context, d *Dialect, tx Tx, appID string, delta SessionDelta) error {
	const chunk = 200
	for rest := delta.Removed; len(rest) > 0; {
		n := min(chunk, len(rest))
		b := &builder{d: d}
		app := b.arg(appID)
		conds := make([]string, n)
		for i, p := range rest[:n] {
			conds[i] = "(session_id = " + b.arg(p.Session) + " AND trace_id = " + b.arg(p.Trace) + ")"
		}
		rest = rest[n:]
		if err := tx.Exec(ctx, "DELETE FROM trace_sessions WHERE app_id = "+app+" AND ("+strings.Join(conds, " OR ")+")", b.args...); err != nil {
			return err
		}
	}
	for rest := delta.Added; len(rest) > 0; {
		n := min(chunk, len(rest))
		b := &builder{d: d}
		app := b.arg(appID)
		vals := make([]string, n)
		for i, p := range rest[:n] {
			vals[i] = "(" + app + ", " + b.arg(p.Session) + ", " + b.arg(p.Trace) + ")"
		}
		rest = rest[n:]
		if err := tx.Exec(ctx, "INSERT INTO trace_sessions (app_id, session_id, trace_id) VALUES "+strings.Join(vals, ", ")+
			" ON CONFLICT (app_id, session_id, trace_id) DO NOTHING", b.args...); err != nil {
			return err
		}
	}
	for rest := delta.Affected; len(rest) > 0; {
		n := min(chunk, len(rest))
		b := &builder{d: d}
		app := b.arg(appID)
		phs := make([]string, n)
		for i, s := range rest[:n] {
			phs[i] = b.arg(s)
		}
		rest = rest[n:]
		in := " IN (" + strings.Join(phs, ", ") + ")"
		if err := tx.Exec(ctx, SessionsInsert+SessionsAggSelect+"ts.app_id = "+app+" AND ts.session_id"+in+SessionsGroupBy+
			SessionsOnConflict, b.args...); err != nil {
			return err
		}
	}
	for rest := delta.Emptied(); len(rest) > 0; {
		n := min(chunk, len(rest))
		b := &builder{d: d}
		app := b.arg(appID)
		phs := make([]string, n)
		for i, s := range rest[:n] {
			phs[i] = b.arg(s)
		}
		rest = rest[n:]
		if err := tx.Exec(ctx, "DELETE FROM sessions WHERE app_id = "+app+" AND session_id IN ("+strings.Join(phs, ", ")+")"+
			SessionsEmptyDelete(app), b.args...); err != nil {
			return err
		}
	}
	return nil
}

// storedSessions reads the trace_sessions membership of traceIDs.
func storedSessions(ctx context.Context, d *Dialect, q Querier, appID string, traceIDs []string) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	for rest := traceIDs; len(rest) > 0; {
		n := min(200, len(rest))
		b := &builder{d: d}
		app := b.arg(appID)
		phs := make([]string, n)
		for i, id := range rest[:n] {
			phs[i] = b.arg(clean(id))
		}
		rest = rest[n:]
		type pair struct{ s, t string }
		ps, err := queryAll(ctx, q, "SELECT session_id, trace_id FROM trace_sessions WHERE app_id = "+app+
			" AND trace_id IN ("+strings.Join(phs, ", ")+")", b.args, func(r Rows) (pair, error) {
			var p pair
			return p, r.Scan(&p.s, &p.t)
		})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if out[p.t] == nil {
				out[p.t] = map[string]bool{}
			}
			out[p.t][p.s] = true
		}
	}
	return out, nil
}
