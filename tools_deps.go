//go:build tools

package agentmark

import (
	_ "github.com/evanw/esbuild/pkg/api"
	_ "github.com/goccy/go-yaml"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/spf13/cobra"
	_ "golang.org/x/text/cases"
)
