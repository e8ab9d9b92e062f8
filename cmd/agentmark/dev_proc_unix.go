//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// runnerCommand runs command with sh (so it may use shell syntax) in a
// new process group, with args (the dev entry flags) appended.
func runnerCommand(command string, args []string) *exec.Cmd {
	cmd := exec.Command("sh", append([]string{"-c", command + ` "$@"`, "agentmark-runner"}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

func terminateGroup(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }

func killGroup(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }

// groupAlive reports whether the process group pgid has live members
// left. Zombies do not count: orphans of the group (e.g. the program `go
// run` started, once the shell and go have exited) are reaped by init,
// which may be slow or never happen in a container.
func groupAlive(pgid int) bool {
	if syscall.Kill(-pgid, 0) != nil {
		return false
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return true // no procfs: zombies count
	}
	found := false
	for _, e := range procs {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...; comm may contain spaces and ')'.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 3 {
			continue
		}
		found = true
		if g, _ := strconv.Atoi(f[2]); g == pgid && f[0] != "Z" && f[0] != "X" && pid > 0 {
			return true
		}
	}
	return !found // procfs unreadable: trust kill(0)
}
