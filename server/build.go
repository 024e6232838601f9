package server

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"time"
)

// BuildID names the running build for cache validators: answers depend on
// the code (rationales, rules, connect-go's encoding) as well as on the
// catalog, so a validator must change when either does. It is the VCS
// revision the binary was built from when the tree was clean, else the Go
// build ID of the executable (a hash of its content, read from its ELF
// note without reading the whole file), else a hash of the executable,
// else (unreadable executable) the process start time, which never
// confirms a stale answer and only costs revalidations.
var BuildID = sync.OnceValue(func() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" && modified == "false" {
			return "vcs:" + rev
		}
	}
	if id, err := goBuildID(); err == nil {
		return "go:" + id
	}
	if h, err := executableHash(); err == nil {
		return "exe:" + h
	}
	return "start:" + strconv.FormatInt(time.Now().UnixNano(), 36)
})

// goBuildID reads the Go build ID note of the running ELF executable.
func goBuildID() (string, error) {
	path, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := elf.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sec := f.Section(".note.go.buildid")
	if sec == nil {
		return "", errors.New("no Go build ID note")
	}
	note, err := sec.Data()
	if err != nil {
		return "", err
	}
	// An ELF note: name size, descriptor size, type, "Go\x00\x00", the ID.
	if len(note) < 16 {
		return "", errors.New("short Go build ID note")
	}
	nameSize := binary.LittleEndian.Uint32(note[0:4])
	descSize := binary.LittleEndian.Uint32(note[4:8])
	start := 12 + (int(nameSize)+3)&^3
	if string(note[12:14]) != "Go" || start+int(descSize) > len(note) || descSize == 0 {
		return "", errors.New("malformed Go build ID note")
	}
	return string(note[start : start+int(descSize)]), nil
}

func executableHash() (string, error) {
	path, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}
