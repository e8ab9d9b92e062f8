// Package sqlite is the embedded default store: one SQLite file (WAL mode)
// through the cgo-free modernc.org/sqlite driver. Writes go through a single
// writer connection, one transaction per batch; reads use a separate pool.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/agentmark-go/agentmark/store"
	"github.com/agentmark-go/agentmark/store/internal/sqlcore"
)

// Options tune the store. The zero value is the durable default.
type Options struct {
	// Synchronous is SQLite's synchronous pragma: "FULL" (default; a
	// committed batch survives power loss) or "NORMAL" (survives a process
	// crash, may lose the last commits on power loss; faster).
	Synchronous string
	// ReadConns is the size of the read pool (default max(4, GOMAXPROCS)).
	ReadConns int
	// BusyTimeoutMs is how long a connection waits for a lock (default 10 s).
	BusyTimeoutMs int
}

// Store is the SQLite store. It is safe for concurrent use.
type Store struct {
	*sqlcore.Core
	w, r   *sql.DB
	closed atomic.Bool

	stmts map[string]*sql.Stmt // prepared on the writer at Open, read-only after
	ckpt  *checkpointer        // nil for ":memory:"
	group groupCommit
}

// Checkpointing: the writer's automatic checkpoint (every 1000 WAL pages by
// default) runs inside the commit of the batch that crosses the limit,
// copying pages to the database file and syncing it on the writer's time.
// Instead a background connection checkpoints (PASSIVE: it never blocks the
// writer or readers) shortly after commits, and the writer's automatic
// checkpoint stays as a fallback at a higher mark, should the background
// one fall behind. Durability is unchanged: a commit is durable once its
// WAL frames are synced (synchronous mode), and the checkpointer connection
// uses the same synchronous mode for the database file.
const (
	// checkpointDelay lets commits accumulate before a checkpoint, so a
	// page written by several commits is copied once.
	checkpointDelay = 100 * time.Millisecond
	// fallbackCheckpointPages is the writer's wal_autocheckpoint.
	fallbackCheckpointPages = 4000
)

type checkpointer struct {
	db   *sql.DB
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// committed tells the checkpointer a write transaction committed.
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTimer(checkpointDelay)
	t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		t.Reset(checkpointDelay)
		select {
		case <-c.stop:
			t.Stop()
			return
		case <-t.C:
		}
		// Errors (e.g. SQLITE_BUSY) only delay the checkpoint: the next
		// commit retries, and the writer's fallback bounds the WAL.
		_, _ = c.db.Exec("PRAGMA wal_checkpoint(PASSIVE)")
	}
}

func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	close(c.stop)
	<-c.done
	return c.db.Close()
}

var _ store.Store = (*Store)(nil)

var dialect = &sqlcore.Dialect{
	Name:              "sqlite",
	Placeholder:       func(n int) string { return fmt.Sprintf("?%d", n) },
	InsertPlaceholder: func(int) string { return "?" },
	FixedChunks:       true,
	MetaKeyArg:        func(key string) string { return `$."` + key + `"` },
	JSONGet:           func(col, ph string) string { return "json_extract(" + col + ", " + ph + ")" },
	JSONHasKey:        func(col, ph string) string { return "(json_type(" + col + ", " + ph + ") IS NOT NULL)" },
	JSONHasElem: func(col, ph string) string {
		return "EXISTS (SELECT 1 FROM json_each(" + col + ") je WHERE je.value = " + ph + ")"
	},
	JSONElemContains: func(col, ph string) string {
		return "EXISTS (SELECT 1 FROM json_each(" + col + ") je WHERE instr(je.value, " + ph + ") > 0)"
	},
	Contains: func(col, ph string) string { return "(instr(" + col + ", " + ph + ") > 0)" },
	ILike:    func(col, ph string) string { return "(" + col + " LIKE " + ph + ` ESCAPE '\')` },
}

// Open opens (creating if needed) the database file at path and migrates it
// to the current schema. path ":memory:" gives a private in-memory database
// (one connection; data is lost on Close).
func Open(ctx context.Context, path string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	syncMode := strings.ToUpper(o.Synchronous)
	switch syncMode {
	case "":
		syncMode = "FULL"
	case "FULL", "NORMAL", "EXTRA", "OFF":
	default:
		return nil, fmt.Errorf("sqlite: invalid synchronous mode %q", o.Synchronous)
	}
	if o.BusyTimeoutMs <= 0 {
		o.BusyTimeoutMs = 10000
	}
	if o.ReadConns <= 0 {
		o.ReadConns = max(4, runtime.GOMAXPROCS(0))
	}
	pragmas := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=cache_size(-32000)", o.BusyTimeoutMs)
	s := &Store{}
	if path == ":memory:" {
		db, err := sql.Open("sqlite", ":memory:?"+pragmas+"&_txlock=immediate")
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		s.w, s.r = db, db
	} else {
		w, err := sql.Open("sqlite", path+"?"+pragmas+"&_pragma=journal_mode(WAL)&_pragma=synchronous("+syncMode+")"+
			fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", fallbackCheckpointPages)+"&_txlock=immediate")
		if err != nil {
			return nil, err
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		s.w = w
		// Create the file and switch it to WAL before readers open it.
		if err := w.PingContext(ctx); err != nil {
			w.Close()
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		r, err := sql.Open("sqlite", path+"?"+pragmas+"&_pragma=query_only(1)")
		if err != nil {
			w.Close()
			return nil, err
		}
		r.SetMaxOpenConns(o.ReadConns)
		r.SetMaxIdleConns(o.ReadConns)
		s.r = r
		// The checkpointer reads no b-tree pages: no page cache to speak of.
		c, err := sql.Open("sqlite", path+fmt.Sprintf("?_pragma=busy_timeout(%d)", o.BusyTimeoutMs)+"&_pragma=synchronous("+syncMode+")")
		if err != nil {
			w.Close()
			r.Close()
			return nil, err
		}
		c.SetMaxOpenConns(1)
		c.SetMaxIdleConns(1)
		c.SetConnMaxLifetime(0)
		s.ckpt = newCheckpointer(c)
	}
	s.Core = &sqlcore.Core{D: dialect, Q: dbQuerier{s.r}}
	if err := migrate(ctx, s.w); err != nil {
		s.Close()
		return nil, err
	}
	s.stmts = map[string]*sql.Stmt{}
	for _, q := range sqlcore.FixedStatements(dialect) {
		st, err := s.w.PrepareContext(ctx, q)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("sqlite: prepare: %w", err)
		}
		s.stmts[q] = st
	}
	return s, nil
}

// Close implements store.Store.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	for _, st := range s.stmts {
		st.Close()
	}
	err := s.ckpt.close()
	err = errors.Join(err, s.w.Close())
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// dbQuerier adapts *sql.DB / *sql.Tx to sqlcore.Querier and sqlcore.Execer.
type dbQuerier struct {
	q interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}
}

func (d dbQuerier) Query(ctx context.Context, q string, args ...any) (sqlcore.Rows, error) {
	rows, err := d.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

type txQuerier struct {
	dbQuerier
	tx *sql.Tx
	s  *Store
}

// Exec runs a write statement, through a statement prepared at Open when it
// is one of the fixed wide inserts.
func (t txQuerier) Exec(ctx context.Context, q string, args ...any) error {
	if st, ok := t.s.stmts[q]; ok {
		_, err := t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		return err
	}
	_, err := t.tx.ExecContext(ctx, q, args...)
	return err
}
