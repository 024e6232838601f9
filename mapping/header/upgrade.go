package header

import "strings"

// ParseProtocol parses one element of an upgrade field (RFC 9110 section
// 7.8: protocol = protocol-name ["/" protocol-version], both tokens), such
// as "websocket" or "HTTP/2.0"; ok is false if it is not that.
func ParseProtocol(element string) (name, version string, ok bool) {
	name, version, hasVersion := strings.Cut(trimOWS(element), "/")
	if !IsToken(name) || hasVersion && !IsToken(version) {
		return "", "", false
	}
	return name, version, true
}
