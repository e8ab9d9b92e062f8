// Command agentmark is the AgentMark CLI: render, build, run and evaluate
// .prompt.mdx prompts. This package only wires flags to library calls.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "0.1.0-dev"
}

// exitError carries a process exit code through cobra. With raw set, the
// message is printed as it is (it already says what failed) instead of
// after "Error: ".
type exitError struct {
	code int
	err  error
	raw  bool
}

func (e *exitError) Error() string { return e.err.Error() }

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "agentmark",
		Short: "Prompts as files, run against any model, traced and evaluated",
		Long: `agentmark works with AgentMark projects: .prompt.mdx files (YAML frontmatter
plus a TemplateDX body) kept in your repository.`,
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(formatCmd(), buildCmd(), initCmd(), generateSchemaCmd(), generateTypesCmd(), runPromptCmd(), runExperimentCmd(), devCmd())
	return root
}

func (e *exitError) Unwrap() error { return e.err }

// report prints a command's error and returns the process exit code.
func report(w io.Writer, err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.raw {
			fmt.Fprintln(w, ee.err)
		} else {
			fmt.Fprintln(w, "Error:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(w, "Error:", err)
	return 1
}

func main() {
	if code := report(os.Stderr, newRoot().Execute()); code != 0 {
		os.Exit(code)
	}
}
