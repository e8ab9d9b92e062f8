package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/agentmark-go/agentmark/build"
	"github.com/agentmark-go/agentmark/project"
)

func buildCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Compile the project's prompts to JSON (components inlined, $refs resolved)",
		Long: `Compile every *.prompt.mdx under the project's agentmark/ directory into
<out>/<path>.prompt.json, copy the .jsonl datasets and write manifest.json.
Run it from the project root (where agentmark.json is). Exits 1 if any
prompt fails to compile, after writing the others.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			cfg, err := project.LoadConfig(wd)
			if errors.Is(err, os.ErrNotExist) {
				return build.ErrNoConfig
			} else if err != nil {
				return err
			}
			outDir := out
			if !filepath.IsAbs(outDir) {
				outDir = filepath.Join(wd, outDir)
			}
			res, err := build.Project(build.Options{SourceDir: cfg.PromptDir(wd), OutDir: outDir})
			if err != nil {
				return err
			}
			stderr := cmd.ErrOrStderr()
			for _, p := range res.Built {
				fmt.Fprintf(stderr, "  ✓ %s\n", p)
			}
			for _, f := range res.Failed {
				fmt.Fprintf(stderr, "  ✗ %s: %v\n", f.Path, f.Err)
			}
			fmt.Fprintf(stderr, "\nBuilt %d prompt(s), %d failed, %d dataset(s) copied to %s\n",
				len(res.Built), len(res.Failed), len(res.Datasets), out)
			if len(res.Failed) > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d prompt(s) failed to build", len(res.Failed))}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", filepath.Join("dist", "agentmark"), "output directory")
	return cmd
}
