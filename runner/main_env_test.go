package runner

import (
	"context"
	"testing"

	amtrace "github.com/agentmark-go/agentmark/trace"
)

func TestMainEnvPorts(t *testing.T) {
	t.Setenv("AGENTMARK_WEBHOOK_PORT", "5123")
	if p := envPort("AGENTMARK_WEBHOOK_PORT", DefaultPort); p != 5123 {
		t.Errorf("port %d", p)
	}
	t.Setenv("AGENTMARK_WEBHOOK_PORT", "x")
	if p := envPort("AGENTMARK_WEBHOOK_PORT", DefaultPort); p != DefaultPort {
		t.Errorf("bad value: %d", p)
	}
}

// Main traces into the dev server `agentmark dev` names, unless a default
// provider is set.
func TestMainDevTracing(t *testing.T) {
	if amtrace.Default() != nil {
		t.Skip("a default provider is set")
	}
	t.Setenv(amtrace.EnvTraceEndpoint, "")
	t.Setenv(amtrace.EnvBaseURL, "")
	t.Setenv("AGENTMARK_DEV_SERVER", "")
	if tp, err := devTracing(context.Background()); tp != nil || err != nil {
		t.Fatalf("no endpoint: %v %v", tp, err)
	}
	t.Setenv("AGENTMARK_DEV_SERVER", "http://localhost:9555/")
	tp, err := devTracing(context.Background())
	if err != nil || tp == nil {
		t.Fatalf("dev server: %v %v", tp, err)
	}
	defer func() { tp.Shutdown(context.Background()); amtrace.SetDefault(nil) }()
	if tp.Endpoint() != "http://localhost:9555/v1/traces" || amtrace.Default() != tp {
		t.Errorf("endpoint %q", tp.Endpoint())
	}
	if again, _ := devTracing(context.Background()); again != nil {
		t.Error("replaced an existing default provider")
	}
}
