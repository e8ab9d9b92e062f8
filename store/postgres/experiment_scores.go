package postgres

import "github.com/agentmark-go/agentmark/store"

var _ store.ExperimentScoreReader = (*Store)(nil)
var _ store.SpanFinder = (*Store)(nil)
