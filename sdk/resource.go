package sdk

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/host"
	"github.com/shirou/gopsutil/v4/mem"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/benchtrace/benchtrace/sdk/semconv"
)

var (
	hostOnce  sync.Once
	hostAttrs []attribute.KeyValue
)

// Resource describes this host and process: service.name, host.name,
// host.arch, host.cpu.model.name, os.type, os.description, process.pid,
// process.runtime.name and .version, the CPU count, total memory and
// accelerators found, and the git commit of the working directory when it is
// in a repository (semconv describes each key). Host facts are read once per
// process. OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME are applied last.
func Resource(ctx context.Context, serviceName string, extra ...attribute.KeyValue) (*resource.Resource, error) {
	hostOnce.Do(func() { hostAttrs = detectHost(ctx) })
	attrs := []attribute.KeyValue{attribute.String(semconv.ServiceName, serviceName)}
	attrs = append(attrs, hostAttrs...)
	attrs = append(attrs, attribute.Int(semconv.ProcessPID, os.Getpid()))
	attrs = append(attrs, extra...)
	res, err := resource.Merge(resource.NewWithAttributes(semconv.SchemaURL, attrs...), resource.Environment())
	if err != nil {
		return nil, fmt.Errorf("benchtrace: building resource: %w", err)
	}
	return res, nil
}

func detectHost(ctx context.Context) []attribute.KeyValue {
	attrs := []attribute.KeyValue{
		attribute.String(semconv.HostArch, runtime.GOARCH),
		attribute.String(semconv.OSType, runtime.GOOS),
		attribute.String(semconv.ProcessRuntimeName, "go"),
		attribute.String(semconv.ProcessRuntimeVersion, runtime.Version()),
		attribute.Int(semconv.HostCPUCount, runtime.NumCPU()),
	}
	if name, err := os.Hostname(); err == nil {
		attrs = append(attrs, attribute.String(semconv.HostName, name))
	}
	if info, err := host.InfoWithContext(ctx); err == nil {
		attrs = append(attrs, attribute.String(semconv.OSDescription, platform(info)))
	}
	if infos, err := cpu.InfoWithContext(ctx); err == nil && len(infos) > 0 && infos[0].ModelName != "" {
		attrs = append(attrs, attribute.String(semconv.HostCPUModelName, infos[0].ModelName))
	}
	if vm, err := mem.VirtualMemoryWithContext(ctx); err == nil {
		attrs = append(attrs, attribute.Int64(semconv.HostMemoryTotal, int64(vm.Total)))
	}
	attrs = append(attrs, attribute.StringSlice(semconv.HostAccelerators, accelerators()))
	if wd, err := os.Getwd(); err == nil {
		if commit := gitCommit(wd); commit != "" {
			attrs = append(attrs, attribute.String(semconv.VCSRefHeadRevision, commit))
			if dirty, ok := gitDirty(ctx, wd); ok {
				attrs = append(attrs, attribute.Bool(semconv.VCSDirty, dirty))
			}
		}
	}
	return attrs
}

// platform formats like Python's platform.platform(): system, release and
// machine, then the distribution.
func platform(info *host.InfoStat) string {
	s := fmt.Sprintf("%s-%s-%s", capitalize(info.OS), info.KernelVersion, info.KernelArch)
	if info.Platform != "" {
		s += "-with-" + info.Platform
		if info.PlatformVersion != "" {
			s += "-" + info.PlatformVersion
		}
	}
	return s
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// accelerators lists the accelerator device nodes present, as "kind:path".
func accelerators() []string {
	out := []string{}
	for _, g := range []struct{ kind, pattern string }{
		{"nvidia", "/dev/nvidia[0-9]*"},
		{"amd", "/dev/kfd"},
		{"accel", "/dev/accel/accel[0-9]*"},
	} {
		matches, _ := filepath.Glob(g.pattern)
		for _, m := range matches {
			out = append(out, g.kind+":"+m)
		}
	}
	return out
}

// gitCommit returns the commit checked out in the repository holding dir,
// reading .git directly (no git binary needed), or "".
func gitCommit(dir string) string {
	gitDir, commonDir := findGitDir(dir)
	if gitDir == "" {
		return ""
	}
	head, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return ""
	}
	ref, isRef := strings.CutPrefix(strings.TrimSpace(string(head)), "ref: ")
	if !isRef {
		return ref // detached HEAD
	}
	for _, d := range []string{gitDir, commonDir} {
		if b, err := os.ReadFile(filepath.Join(d, filepath.FromSlash(ref))); err == nil {
			return strings.TrimSpace(string(b))
		}
	}
	packed, err := os.ReadFile(filepath.Join(commonDir, "packed-refs"))
	if err != nil {
		return ""
	}
	for line := range bytes.Lines(packed) {
		if sha, name, ok := strings.Cut(strings.TrimSpace(string(line)), " "); ok && name == ref {
			return sha
		}
	}
	return "" // an unborn branch
}

// findGitDir walks up from dir to the repository's git directory and its
// common directory (they differ in a linked worktree).
func findGitDir(dir string) (gitDir, commonDir string) {
	for {
		p := filepath.Join(dir, ".git")
		if fi, err := os.Stat(p); err == nil {
			gitDir = p
			if !fi.IsDir() { // a worktree: "gitdir: PATH"
				b, err := os.ReadFile(p)
				if err != nil {
					return "", ""
				}
				gd, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: ")
				if !ok {
					return "", ""
				}
				if !filepath.IsAbs(gd) {
					gd = filepath.Join(dir, gd)
				}
				gitDir = gd
			}
			commonDir = gitDir
			if b, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
				cd := strings.TrimSpace(string(b))
				if !filepath.IsAbs(cd) {
					cd = filepath.Join(gitDir, cd)
				}
				commonDir = cd
			}
			return gitDir, commonDir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ""
		}
		dir = parent
	}
}

// gitDirty asks git whether tracked files have changed; ok is false when git
// is missing or does not answer within two seconds.
func gitDirty(ctx context.Context, dir string) (dirty, ok bool) {
	if _, err := exec.LookPath("git"); err != nil {
		return false, false
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "status", "--porcelain", "--untracked-files=no")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return false, false
	}
	return len(bytes.TrimSpace(out)) > 0, true
}
