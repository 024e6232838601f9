package server

import (
	"crypto/sha256"
	"encoding/hex"
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
// revision the binary was built from when the tree was clean, else a hash
// of the executable, else (unreadable executable) the process start time,
// which never confirms a stale answer and only costs revalidations.
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
	if h, err := executableHash(); err == nil {
		return "exe:" + h
	}
	return "start:" + strconv.FormatInt(time.Now().UnixNano(), 36)
})

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
