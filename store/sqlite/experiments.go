package sqlite

import "github.com/agentmark-go/agentmark/store"

// The experiment queries live in the shared SQL core
// (store/internal/sqlcore/experiments.go).
var _ store.ExperimentReader = (*Store)(nil)
