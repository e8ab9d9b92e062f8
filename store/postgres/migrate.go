package postgres

import (
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/agentmark-go/agentmark/store/internal/sqlcore"
)

// Migrations are embedded SQL files named NNNN_description.sql, applied in
// order, each in its own transaction, recorded in schema_migrations, under a
// session advisory lock so replicas starting together migrate once. We use a
// small runner instead of goose: the two dialects need their own SQL files
// anyway, the runner is ~60 lines per backend, and it keeps goose's extra
// driver modules out of the shared go.mod.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key of the migration runner.
const migrationLock = 0x61676d6b // "agmk"

func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	ms, err := sqlcore.LoadMigrations(migrations)
	if err != nil {
		return err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLock)); err != nil {
		return fmt.Errorf("postgres: migration lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(migrationLock))
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ns BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("postgres: migrations table: %w", err)
	}
	for _, m := range ms {
		var n int
		if err := conn.QueryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = $1", m.Version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			tx.Rollback(ctx)
			return fmt.Errorf("postgres: migration %s: %w", m.Name, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_ns) VALUES ($1, $2, $3)",
			m.Version, m.Name, time.Now().UnixNano()); err != nil {
			tx.Rollback(ctx)
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.Name, err)
		}
	}
	return nil
}
