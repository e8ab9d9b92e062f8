//go:build !unix

package main

import (
	"os/exec"
	"strings"
)

// runnerCommand splits command on spaces (no shell) and appends args.
func runnerCommand(command string, args []string) *exec.Cmd {
	f := strings.Fields(command)
	return exec.Command(f[0], append(f[1:], args...)...)
}

func terminateGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

func killGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

func groupAlive(int) bool { return false }
