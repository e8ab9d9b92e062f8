package sqlite

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/store/storetest"
)

const durabilityEnv = "AGENTMARK_DURABILITY_CHILD_DB"

// durabilityBatch is the batch the child writes as its i-th batch: 200
// spans in 25 traces whose IDs carry the batch number.
func durabilityBatch(i int) ([]string, int) {
	ids := make([]string, 0, 25)
	for _, sp := range storetest.Realistic(int64(i+1), 200, 8, time.Unix(1767225600, 0).Add(time.Duration(i)*time.Second)) {
		if sp.ParentSpanID == "" {
			ids = append(ids, sp.TraceID)
		}
	}
	return ids, 200
}

// TestDurabilityKill9 re-executes the test binary as a writer that prints
// "ACK n" after WriteSpans of batch n returned nil, kills it with SIGKILL
// mid-stream, reopens the database and checks that every acknowledged span
// is there.
func TestDurabilityKill9(t *testing.T) {
	if path := os.Getenv(durabilityEnv); path != "" {
		durabilityChild(path)
		return
	}
	if testing.Short() {
		t.Skip("short mode")
	}
	path := filepath.Join(t.TempDir(), "durable.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestDurabilityKill9$")
	cmd.Env = append(os.Environ(), durabilityEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[int]bool{}
	sc := bufio.NewScanner(out)
	killed := false
	deadline := time.After(60 * time.Second)
	lines := make(chan string)
	go func() {
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
loop:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				break loop
			}
			if n, ok := strings.CutPrefix(l, "ACK "); ok {
				i, _ := strconv.Atoi(n)
				acked[i] = true
				if len(acked) == 40 && !killed {
					// kill while the child is in the middle of later batches
					if err := cmd.Process.Kill(); err != nil {
						t.Fatal(err)
					}
					killed = true
				}
			}
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("child too slow: %d batches acknowledged", len(acked))
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !killed || !errors.As(err, &ee) {
		t.Fatalf("child was not killed (killed=%v, wait=%v)", killed, err)
	}
	s, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatalf("reopen after kill -9: %v", err)
	}
	defer s.Close()
	var ic string
	if err := s.w.QueryRow("PRAGMA integrity_check").Scan(&ic); err != nil || ic != "ok" {
		t.Fatalf("integrity_check = %q, %v", ic, err)
	}
	for i := range acked {
		ids, _ := durabilityBatch(i)
		total := 0
		for _, id := range ids {
			spans, err := s.ListTraceSpans(context.Background(), "durability", id)
			if err != nil {
				t.Fatalf("acknowledged batch %d: trace %s: %v", i, id, err)
			}
			total += len(spans)
		}
		if total != 200 {
			t.Errorf("acknowledged batch %d: %d of 200 spans present", i, total)
		}
	}
	t.Logf("%d acknowledged batches (%d spans) all present after kill -9", len(acked), 200*len(acked))
}

func durabilityChild(path string) {
	ctx := context.Background()
	s, err := Open(ctx, path, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(2)
	}
	for i := 0; i < 100000; i++ {
		spans := storetest.Realistic(int64(i+1), 200, 8, time.Unix(1767225600, 0).Add(time.Duration(i)*time.Second))
		if err := s.WriteSpans(ctx, "durability", spans); err != nil {
			fmt.Fprintln(os.Stderr, "child write:", err)
			os.Exit(3)
		}
		fmt.Fprintf(os.Stdout, "ACK %d\n", i) // os.Stdout is unbuffered
	}
	os.Exit(0)
}
