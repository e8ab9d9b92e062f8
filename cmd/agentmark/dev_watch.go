package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// devWatchDebounce is how long the watcher waits for a burst of events
// (an editor's write-temp-then-rename save, a git checkout) to settle.
const devWatchDebounce = 100 * time.Millisecond

// fileWatcher watches a directory tree with fsnotify: directories are
// added as they appear, events are debounced and handed to onChange as one
// sorted batch of absolute paths (changed, created or removed files).
type fileWatcher struct {
	w        *fsnotify.Watcher
	root     string
	debounce time.Duration
	onChange func(paths []string)
	onError  func(error)
	done     chan struct{}
	wg       sync.WaitGroup
}

// skipWatchDir reports directories that are never watched: VCS and
// dependency trees, AgentMark's own state, hidden directories.
func skipWatchDir(root, dir string) bool {
	if dir == root {
		return false
	}
	base := filepath.Base(dir)
	switch base {
	case "node_modules", "vendor", ".agentmark", ".agentmark-outputs", "__pycache__":
		return true
	}
	return strings.HasPrefix(base, ".")
}

// skipWatchFile reports editor scratch files (swap files, backups, vim's
// write test file) that are not worth a change event.
func skipWatchFile(name string) bool {
	base := filepath.Base(name)
	return strings.HasSuffix(base, "~") || strings.HasSuffix(base, ".swp") || strings.HasSuffix(base, ".swx") ||
		strings.HasPrefix(base, ".#") || base == "4913"
}

func newFileWatcher(root string, onChange func([]string), onError func(error)) (*fileWatcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	fw := &fileWatcher{w: w, root: root, debounce: devWatchDebounce, onChange: onChange, onError: onError, done: make(chan struct{})}
	if _, err := fw.addTree(root); err != nil {
		w.Close()
		return nil, err
	}
	fw.wg.Add(1)
	go fw.loop()
	return fw, nil
}

// addTree watches dir and the directories below it, and returns the files
// found (a directory that appears with files already in it, e.g. moved in
// or created by `mkdir -p && cp`, reports them as changed).
func (fw *fileWatcher) addTree(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil
		}
		if d.IsDir() {
			if skipWatchDir(fw.root, p) {
				return filepath.SkipDir
			}
			if err := fw.w.Add(p); err != nil && p == dir {
				return err
			}
			return nil
		}
		if p != dir {
			files = append(files, p)
		}
		return nil
	})
	return files, err
}

func (fw *fileWatcher) loop() {
	defer fw.wg.Done()
	pending := map[string]bool{}
	var timer *time.Timer
	var fire <-chan time.Time
	add := func(p string) {
		if skipWatchFile(p) {
			return
		}
		pending[p] = true
		if timer == nil {
			timer = time.NewTimer(fw.debounce)
		} else {
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
			timer.Reset(fw.debounce)
		}
		fire = timer.C
	}
	for {
		select {
		case <-fw.done:
			if timer != nil {
				timer.Stop()
			}
			return
		case ev, ok := <-fw.w.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
					if skipWatchDir(fw.root, ev.Name) {
						continue
					}
					files, _ := fw.addTree(ev.Name)
					for _, f := range files {
						add(f)
					}
					continue
				}
			}
			if ev.Has(fsnotify.Chmod) && !ev.Has(fsnotify.Write) && !ev.Has(fsnotify.Create) {
				continue // touch, permission changes: the content is the same
			}
			add(ev.Name)
		case err, ok := <-fw.w.Errors:
			if !ok {
				return
			}
			if fw.onError != nil {
				fw.onError(err)
			}
		case <-fire:
			fire = nil
			paths := make([]string, 0, len(pending))
			for p := range pending {
				paths = append(paths, p)
			}
			clear(pending)
			sort.Strings(paths)
			fw.onChange(paths)
		}
	}
}

// Close stops watching; no onChange call is made after it returns.
func (fw *fileWatcher) Close() error {
	close(fw.done)
	err := fw.w.Close()
	fw.wg.Wait()
	return err
}

// devChanges sorts a batch of changed paths for `agentmark dev`.
type devChanges struct {
	prompts []string // prompt/component files under the prompt directory (relative to the project root)
	goFiles []string // Go sources and go.mod/go.sum (relative to the project root)
	config  bool     // agentmark.json
}

func classifyChanges(root, promptDir string, paths []string) devChanges {
	var c devChanges
	for _, p := range paths {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			rel = p
		}
		rel = filepath.ToSlash(rel)
		base := filepath.Base(p)
		switch {
		case strings.HasSuffix(base, ".go") || base == "go.mod" || base == "go.sum" || base == "go.work":
			c.goFiles = append(c.goFiles, rel)
		case rel == "agentmark.json":
			c.config = true
		case strings.HasSuffix(base, ".mdx") || strings.HasSuffix(base, ".md"):
			if r, err := filepath.Rel(promptDir, p); err == nil && !strings.HasPrefix(r, "..") {
				c.prompts = append(c.prompts, rel)
			}
		}
	}
	return c
}
