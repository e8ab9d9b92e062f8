package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/agentmark-go/agentmark/internal/jsyaml"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/project"
	"github.com/agentmark-go/agentmark/prompt"
)

func formatCmd() *cobra.Command {
	var propsJSON, propsFile string
	var testProps bool
	cmd := &cobra.Command{
		Use:   "format <file.prompt.mdx>",
		Short: "Render a prompt to its neutral request (JSON on stdout)",
		Long: `Render a prompt with props and print what prompt.format() returns: the
messages (or image/speech input) and the config block, as JSON.
Errors go to stderr with their file:line:column and a non-zero exit.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if testProps && (propsJSON != "" || propsFile != "") {
				return fmt.Errorf("--test-props cannot be combined with --props or --props-file")
			}
			props, err := readProps(propsJSON, propsFile)
			if err != nil {
				return err
			}
			tpl, err := loadPromptFile(args[0])
			if err != nil {
				return err
			}
			if testProps {
				if ts := tpl.TestSettings(); ts != nil {
					if v, ok := ts.Get("props"); ok && v != nil {
						props = v
					}
				}
			}
			out, err := tpl.Format(props)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), jsvalue.StringifyIndent(out, "  "))
			return nil
		},
	}
	cmd.Flags().StringVar(&propsJSON, "props", "", "props as a JSON object")
	cmd.Flags().StringVar(&propsFile, "props-file", "", "read props from a JSON or YAML file")
	cmd.Flags().BoolVar(&testProps, "test-props", false, "use the prompt's test_settings.props")
	return cmd
}

// loadPromptFile parses a prompt file with imports confined to its project.
func loadPromptFile(file string) (*prompt.Template, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	src, err := os.ReadFile(abs)
	if err != nil {
		return nil, err
	}
	return prompt.Parse(string(src), prompt.Options{
		Path:   filepath.ToSlash(abs),
		Loader: project.FileLoader(project.RootFor(abs)),
	})
}

// readProps reads --props or --props-file (JSON, or YAML by extension).
func readProps(propsJSON, propsFile string) (jsvalue.Value, error) {
	switch {
	case propsJSON != "" && propsFile != "":
		return nil, fmt.Errorf("use either --props or --props-file, not both")
	case propsJSON != "":
		v, err := jsvalue.ParseJSON([]byte(propsJSON))
		if err != nil {
			return nil, fmt.Errorf("--props is not valid JSON: %w", err)
		}
		return v, nil
	case propsFile != "":
		data, err := os.ReadFile(propsFile)
		if err != nil {
			return nil, err
		}
		switch filepath.Ext(propsFile) {
		case ".yaml", ".yml":
			v, err := jsyaml.Load(string(data))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", propsFile, err)
			}
			return v, nil
		}
		v, err := jsvalue.ParseJSON(data)
		if err != nil {
			return nil, fmt.Errorf("%s is not valid JSON: %w", propsFile, err)
		}
		return v, nil
	}
	return jsvalue.NewObject(), nil
}
