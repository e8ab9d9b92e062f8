package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/agentmark-go/agentmark/store/internal/sqlcore"
)

// Migrations are embedded SQL files named NNNN_description.sql, applied in
// order, each in its own transaction, recorded in schema_migrations. We use a
// small runner instead of goose: the two dialects need their own SQL files
// anyway, the runner is ~60 lines per backend, and it keeps goose's extra
// driver modules out of the shared go.mod.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies pending migrations through the writer connection (the
// single writer serializes concurrent openers via BEGIN IMMEDIATE).
func migrate(ctx context.Context, db *sql.DB) error {
	ms, err := sqlcore.LoadMigrations(migrations)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ns INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite: migrations table: %w", err)
	}
	for _, m := range ms {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.Version).Scan(&n); err != nil {
			tx.Rollback()
			return err
		}
		if n > 0 {
			tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_ns) VALUES (?, ?, ?)",
			m.Version, m.Name, time.Now().UnixNano()); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
		}
	}
	return nil
}
