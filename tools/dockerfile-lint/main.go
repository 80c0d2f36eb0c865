// Command dockerfile-lint runs BuildKit's own Dockerfile checks — the ones behind
// `docker build --check` (StageNameCasing, FromAsCasing, JSONArgsRecommended, UndefinedVar,
// SecretsUsedInArgOrEnv, …) — on a Dockerfile, without a Docker engine or a network.
//
// It calls dockerfile2llb.DockerfileLint, BuildKit's lint entry point, with every stage reachable.
// Base images are not pulled: their configs are stubbed (the target platform, and an Env with only
// the usual PATH), so UndefinedVar cannot know variables that a base image sets itself. The
// experimental CopyIgnoredFile rule needs the build context from a BuildKit session and is not run.
// A `# check=` directive at the top of the Dockerfile is honoured as BuildKit does (skip=…,
// experimental=…, error=…); -experimental turns every experimental rule on as well.
//
// Usage: dockerfile-lint [-json] [-experimental] [-build-arg K=V]… Dockerfile
// Exit: 0 no findings, 1 findings or an error that would stop a build, 2 usage or I/O error.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	digest "github.com/opencontainers/go-digest"
)

// stubResolver answers image config requests without a registry.
type stubResolver struct{ resolved []string }

func (r *stubResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	r.resolved = append(r.resolved, ref)
	osName, arch, variant := "linux", "amd64", ""
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		osName, arch, variant = opt.ImageOpt.Platform.OS, opt.ImageOpt.Platform.Architecture, opt.ImageOpt.Platform.Variant
	}
	cfg := map[string]any{
		"os":           osName,
		"architecture": arch,
		"config":       map[string]any{"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + strings.Repeat("0", 64)}},
	}
	if variant != "" {
		cfg["variant"] = variant
	}
	dt, err := json.Marshal(cfg)
	return ref, "", dt, err
}

// sourceMap is the Dockerfile as BuildKit's lint results reference it (Definition must not be nil).
func sourceMap(file string, dt []byte) *llb.SourceMap {
	sm := llb.NewSourceMap(nil, file, "Dockerfile", dt)
	sm.Definition = &llb.Definition{}
	return sm
}

type finding struct {
	Rule        string `json:"rule"`
	Line        int    `json:"line"`
	Message     string `json:"message"`
	Description string `json:"description,omitempty"`
	URL         string `json:"url,omitempty"`
}

type report struct {
	File       string    `json:"file"`
	Findings   []finding `json:"findings"`
	BuildError string    `json:"buildError,omitempty"`
	BaseImages []string  `json:"baseImages"`
}

type buildArgs map[string]string

func (b buildArgs) String() string { return fmt.Sprint(map[string]string(b)) }
func (b buildArgs) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	b[k] = val
	return nil
}

func main() {
	asJSON := flag.Bool("json", false, "print the findings as JSON")
	experimental := flag.Bool("experimental", false, "also run BuildKit's experimental rules")
	args := buildArgs{}
	flag.Var(args, "build-arg", "KEY=VALUE build argument (repeatable)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: dockerfile-lint [-json] [-experimental] [-build-arg K=V]... Dockerfile")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	file := flag.Arg(0)
	dt, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dockerfile-lint:", err)
		os.Exit(2)
	}

	resolver := &stubResolver{}
	opt := dockerfile2llb.ConvertOpt{
		Config:       dockerui.Config{BuildArgs: args},
		SourceMap:    sourceMap(file, dt),
		MetaResolver: resolver,
	}
	src, shift := dt, 0
	if *experimental {
		src, shift = withExperimentalAll(dt)
		opt.SourceMap = sourceMap(file, src)
	}
	res, err := dockerfile2llb.DockerfileLint(context.Background(), src, opt)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dockerfile-lint:", err)
		os.Exit(2)
	}
	rep := report{File: file, Findings: []finding{}, BaseImages: resolver.resolved}
	for _, w := range res.Warnings {
		f := toFinding(w)
		if f.Line > 0 {
			f.Line -= shift
		}
		rep.Findings = append(rep.Findings, f)
	}
	sort.SliceStable(rep.Findings, func(i, j int) bool { return rep.Findings[i].Line < rep.Findings[j].Line })
	if res.Error != nil {
		rep.BuildError = res.Error.Message
	}

	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		for _, f := range rep.Findings {
			fmt.Printf("%s:%d: %s: %s (%s)\n", file, f.Line, f.Rule, f.Message, f.URL)
		}
		if rep.BuildError != "" {
			fmt.Printf("%s: error: %s\n", file, rep.BuildError)
		}
		fmt.Printf("dockerfile-lint: %s: %d finding(s)%s\n", file, len(rep.Findings), map[bool]string{true: ", build error", false: ""}[rep.BuildError != ""])
	}
	if len(rep.Findings) > 0 || rep.BuildError != "" {
		os.Exit(1)
	}
}

func toFinding(w lint.Warning) finding {
	line := 0
	if w.Location != nil && len(w.Location.Ranges) > 0 && w.Location.Ranges[0].Start != nil {
		line = int(w.Location.Ranges[0].Start.Line)
	}
	return finding{Rule: w.RuleName, Line: line, Message: w.Detail, Description: w.Description, URL: w.URL}
}

var checkDirective = regexp.MustCompile(`^#\s*check\s*=(.*)$`)

// withExperimentalAll returns the Dockerfile with its `# check=` directive extended by
// experimental=all (or such a directive added as a new first line: shift 1), since without a
// BuildKit session the linter takes its config from that directive only.
func withExperimentalAll(dt []byte) ([]byte, int) {
	existing, _, _, ok := parser.ParseDirective("check", dt)
	if !ok {
		return append([]byte("# check=experimental=all\n"), dt...), 1
	}
	if strings.Contains(existing, "experimental=") {
		return dt, 0 // the file already chose its experimental rules
	}
	lines := strings.Split(string(dt), "\n")
	for i, l := range lines {
		if m := checkDirective.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			lines[i] = "# check=" + strings.TrimSpace(m[1]) + ";experimental=all"
			break
		}
	}
	return []byte(strings.Join(lines, "\n")), 0
}
