package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/agentmark-go/agentmark/scaffold"
)

func initCmd() *cobra.Command {
	var opts scaffold.Options
	cmd := &cobra.Command{
		Use:   "init [dir]",
		Short: "Create a new AgentMark project (agentmark.json, an example prompt and dataset)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			res, err := scaffold.Write(dir, opts)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for _, f := range res.Written {
				fmt.Fprintf(w, "  created %s\n", filepath.Join(dir, f))
			}
			for _, f := range res.Kept {
				fmt.Fprintf(w, "  kept    %s (exists; --overwrite replaces it)\n", filepath.Join(dir, f))
			}
			fmt.Fprintf(w, "\nNext:\n  agentmark format %s\n", filepath.Join(dir, filepath.FromSlash(scaffold.ExamplePrompt)))
			return nil
		},
	}
	cmd.Flags().BoolVar(&opts.Overwrite, "overwrite", false, "replace files that already exist")
	return cmd
}
