package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// maxImageBytes bounds the image: the stripped static binary is about
// 20 MiB and the image should be nothing more.
const maxImageBytes = 40 << 20

// TestContainerImage builds the Containerfile with podman over a static
// binary, as the README says, and inspects the image: non-root user,
// entrypoint, exposed port matching the listen address, size, and that
// the binary inside is the static one built here. The sandbox cannot run
// containers, so the image is built, not run; the binary in it is the one
// the rest of this suite tests. Rebuilding the dependencies without cgo
// takes minutes, so it runs when STATUSD_IMAGE_TESTS=1 (as .ci/run sets it).
func TestContainerImage(t *testing.T) {
	if os.Getenv("STATUSD_IMAGE_TESTS") != "1" {
		t.Skip("set STATUSD_IMAGE_TESTS=1 to build the container image with podman")
	}
	podman, err := exec.LookPath("podman")
	if err != nil {
		skipOrFail(t, "podman not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "statusd")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./cmd/statusd")
	build.Dir = "../.."
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	assertStatic(t, bin)
	for _, f := range []string{"Containerfile", ".dockerignore"} {
		data, err := os.ReadFile(filepath.Join("../..", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tag := fmt.Sprintf("localhost/statusd-test:%d", os.Getpid())
	if out, err := exec.Command(podman, "build", "-q", "-t", tag, dir).CombinedOutput(); err != nil {
		t.Fatalf("podman build: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(podman, "rmi", "-f", tag).Run() })

	out, err := exec.Command(podman, "image", "inspect", tag).Output()
	if err != nil {
		t.Fatal(err)
	}
	var images []struct {
		Size   int64
		Config struct {
			User         string
			Entrypoint   []string
			Cmd          []string
			Env          []string
			ExposedPorts map[string]struct{}
		}
	}
	if err := json.Unmarshal(out, &images); err != nil || len(images) != 1 {
		t.Fatalf("podman image inspect: %v\n%s", err, out)
	}
	img := images[0]
	t.Logf("image %s: %.1f MiB, user %s, entrypoint %v %v, ports %v", tag, float64(img.Size)/(1<<20),
		img.Config.User, img.Config.Entrypoint, img.Config.Cmd, img.Config.ExposedPorts)
	if uid, _, _ := strings.Cut(img.Config.User, ":"); uid == "" || uid == "0" || uid == "root" {
		t.Errorf("user %q: want a non-root numeric user", img.Config.User)
	}
	if !slices.Equal(img.Config.Entrypoint, []string{"/statusd"}) || !slices.Equal(img.Config.Cmd, []string{"serve"}) {
		t.Errorf("entrypoint %v cmd %v; want [/statusd] [serve]", img.Config.Entrypoint, img.Config.Cmd)
	}
	// The port statusd listens on (STATUSD_ADDR) is the one EXPOSEd.
	var addr string
	for _, e := range img.Config.Env {
		if v, ok := strings.CutPrefix(e, envName("addr")+"="); ok {
			addr = v
		}
	}
	_, port, _ := strings.Cut(addr, ":")
	if _, ok := img.Config.ExposedPorts[port+"/tcp"]; port == "" || !ok || len(img.Config.ExposedPorts) != 1 {
		t.Errorf("listens on %q, exposes %v", addr, img.Config.ExposedPorts)
	}
	if img.Size <= 0 || img.Size > maxImageBytes {
		t.Errorf("image size %d bytes; want at most %d", img.Size, maxImageBytes)
	}
	assertImageHolds(t, podman, tag, bin)
}

// assertStatic fails unless bin is an ELF executable with no interpreter
// and no shared libraries, so that it runs FROM scratch.
func assertStatic(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s is dynamically linked (%v)", bin, p.Type)
		}
	}
}

// assertImageHolds saves the image and checks that its one file is
// /statusd, byte for byte the binary that was built.
func assertImageHolds(t *testing.T, podman, tag, bin string) {
	t.Helper()
	archive := filepath.Join(t.TempDir(), "image.tar")
	if out, err := exec.Command(podman, "save", "--format", "docker-archive", "-o", archive, tag).CombinedOutput(); err != nil {
		t.Fatalf("podman save: %v\n%s", err, out)
	}
	want, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	outer, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer outer.Close()
	var files []string
	tr := tar.NewReader(outer)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(h.Name, ".tar") {
			continue
		}
		layer := tar.NewReader(tr)
		for {
			lh, err := layer.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, lh.Name)
			if lh.Name == "statusd" {
				var got bytes.Buffer
				if _, err := io.Copy(&got, io.LimitReader(layer, maxImageBytes)); err != nil {
					t.Fatal(err)
				}
				if sha256.Sum256(got.Bytes()) != sha256.Sum256(want) {
					t.Errorf("/statusd in the image is not the binary built")
				}
			}
		}
	}
	if !slices.Equal(files, []string{"statusd"}) {
		t.Errorf("the image holds %v; want only statusd", files)
	}
}
