package main

import (
	"errors"
	"fmt"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agentmark-go/agentmark/internal/modelregistry"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/project"
	"github.com/agentmark-go/agentmark/prompt"
	"github.com/agentmark-go/agentmark/prompt/schemaref"
	"github.com/agentmark-go/agentmark/schemagen"
	"github.com/agentmark-go/agentmark/typegen"
)

// schemaFile is the file generate-schema writes into its output directory.
const schemaFile = "prompt.schema.json"

func generateTypesCmd() *cobra.Command {
	var language, rootDir, pkg, local string
	cmd := &cobra.Command{
		Use:   "generate-types",
		Short: "Print TypeScript (or Go) types for the project's prompts",
		Long: `Generate the input and output types of every *.prompt.mdx and print them
on stdout (progress goes to stderr):

  agentmark generate-types > agentmark.types.ts
  agentmark generate-types -l go --package prompts > prompts/types.go

Prompts are read from --root-dir, else from the agentmark/ directory named
by agentmark.json. Input types come from input_schema, object outputs from
object_config.schema ($refs to local files are inlined). With
agentmark.json, .agentmark/prompt.schema.json is refreshed too (best
effort, like generate-schema).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			switch language {
			case "typescript", "go":
			default:
				// Upstream's rule: an unsupported language is reported, not
				// an error (exit 0).
				fmt.Fprintf(stderr, "Unsupported language: %s. Supported: typescript, go.\n", language)
				return nil
			}
			if language == "go" && !token.IsIdentifier(pkg) {
				return fmt.Errorf("--package %q is not a valid Go package name", pkg)
			}
			if cmd.Flags().Changed("local") {
				return fmt.Errorf("--local %s is not supported yet: read the prompt files with --root-dir <path> (or run from the project root, where agentmark.json is)", local)
			}
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			projRoot, hasProject := project.FindRoot(wd)
			var cfg *project.Config
			if hasProject {
				if cfg, err = project.LoadConfig(projRoot); err != nil {
					return typesError(err)
				}
			}
			dir := rootDir
			switch {
			case dir != "":
				if !filepath.IsAbs(dir) {
					dir = filepath.Join(wd, dir)
				}
			case cfg != nil:
				dir = cfg.PromptDir(projRoot)
				fmt.Fprintf(stderr, "Using prompts from %s (agentmark.json)\n", relTo(wd, dir))
			default:
				return errors.New("Either --local or --root-dir must be specified (no agentmark.json found here or above; --local is not supported yet, so pass --root-dir <path>)")
			}
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return typesError(fmt.Errorf("prompt directory not found: %s", relTo(wd, dir)))
			}
			fmt.Fprintln(stderr, "Generating type definitions...")
			prompts, err := collectPrompts(dir, stderr)
			if err != nil {
				return typesError(err)
			}
			var out string
			if language == "go" {
				out = typegen.Go(prompts, pkg)
			} else {
				out = typegen.TypeScript(prompts)
			}
			if _, err := io.WriteString(stdout, out); err != nil {
				return typesError(err)
			}
			if cfg != nil {
				// Best effort, as upstream: keep the editor schema in step.
				if path, n, err := writeSchema(filepath.Join(projRoot, ".agentmark"), cfg); err == nil {
					fmt.Fprintf(stderr, "Schema written to %s (%d model(s) in enum)\n", relTo(wd, path), n)
				}
			}
			fmt.Fprintln(stderr, "Done")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&language, "language", "l", "typescript", "output language: typescript or go")
	f.StringVar(&rootDir, "root-dir", "", "directory holding the prompts (default: the agentmark/ directory of agentmark.json)")
	f.StringVar(&pkg, "package", "agentmarktypes", "Go package name (with --language go)")
	f.StringVar(&local, "local", "", "read prompts from a running dev server on this port (not supported yet)")
	return cmd
}

func typesError(err error) error {
	return &exitError{code: 1, err: fmt.Errorf("Error generating types: %w", err), raw: true}
}

// collectPrompts parses every *.prompt.mdx under dir (imports and $refs
// confined to dir) into typegen prompts, sorted by path. Every failing
// prompt is listed on w; any failure fails the whole run.
func collectPrompts(dir string, w io.Writer) ([]typegen.Prompt, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".prompt.mdx") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var prompts []typegen.Prompt
	var failed []string
	for _, file := range files {
		rel, _ := filepath.Rel(dir, file)
		rel = filepath.ToSlash(rel)
		p, err := readPrompt(dir, file, rel)
		if err != nil {
			fmt.Fprintf(w, "  ✗ %s: %v\n", rel, err)
			failed = append(failed, rel)
			continue
		}
		prompts = append(prompts, p)
	}
	if len(failed) > 0 {
		return nil, fmt.Errorf("%d prompt(s) could not be loaded: %s", len(failed), strings.Join(failed, ", "))
	}
	return prompts, nil
}

func readPrompt(root, file, rel string) (typegen.Prompt, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return typegen.Prompt{}, err
	}
	tpl, err := prompt.Parse(string(src), prompt.Options{
		Path:   filepath.ToSlash(file),
		Loader: project.FileLoader(root),
	})
	if err != nil {
		return typegen.Prompt{}, err
	}
	base := filepath.ToSlash(filepath.Dir(file))
	resolve := func(v jsvalue.Value) (jsvalue.Value, error) {
		if !schemaref.ContainsRef(v) {
			return v, nil
		}
		return schemaref.Resolve(v, base, schemaref.DirLoader(root))
	}
	p := typegen.Prompt{Path: rel, Kind: tpl.Kind()}
	if v, ok := tpl.Frontmatter().Get("input_schema"); ok {
		if p.InputSchema, err = resolve(v); err != nil {
			return typegen.Prompt{}, err
		}
	}
	if tpl.Kind() == prompt.KindObject {
		if v, ok := tpl.Config().Get("schema"); ok {
			if p.OutputSchema, err = resolve(v); err != nil {
				return typegen.Prompt{}, err
			}
		}
	}
	return p, nil
}

func generateSchemaCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "generate-schema",
		Short: "Write the JSON Schema of prompt frontmatter for editors",
		Long: `Write <out>/prompt.schema.json, the JSON Schema (draft-07) of .prompt.mdx
frontmatter. Each config block's model_name lists the builtInModels of
agentmark.json that fit it (chat models: text and object, image models:
image, speech models: speech; models the registry does not know: all).
Point your editor's YAML schema setting at it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			stderr := cmd.ErrOrStderr()
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			cfg := &project.Config{}
			if root, ok := project.FindRoot(wd); ok {
				if cfg, err = project.LoadConfig(root); err != nil {
					return err
				}
			} else {
				fmt.Fprintln(stderr, "No agentmark.json found: model_name is not restricted to builtInModels.")
			}
			dir := out
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(wd, dir)
			}
			path, n, err := writeSchema(dir, cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "Schema written to %s (%d model(s) in enum)\n", relTo(wd, path), n)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", ".agentmark", "output directory")
	return cmd
}

// writeSchema writes <dir>/prompt.schema.json for cfg's builtInModels.
func writeSchema(dir string, cfg *project.Config) (string, int, error) {
	schema := schemagen.FrontmatterSchema(cfg.BuiltInModels, modelregistry.Classify)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, err
	}
	path := filepath.Join(dir, schemaFile)
	if err := os.WriteFile(path, []byte(jsvalue.StringifyIndent(schema, "  ")+"\n"), 0o644); err != nil {
		return "", 0, err
	}
	return path, schemagen.CountModels(cfg.BuiltInModels), nil
}

// relTo shows p relative to base when it is inside it.
func relTo(base, p string) string {
	if rel, err := filepath.Rel(base, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return rel
	}
	return p
}
