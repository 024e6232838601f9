package main

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// The document is built as a tree of yaml.Node, which keeps the order in
// which keys are added (a map would sort them), and written by yaml.v3's
// encoder, which does all quoting and escaping.

// object returns a mapping node with the given key/value pairs, in order.
// Values are converted by value.
func object(kv ...any) *yaml.Node {
	if len(kv)%2 != 0 {
		panic("object: odd number of arguments")
	}
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i < len(kv); i += 2 {
		put(n, kv[i].(string), kv[i+1])
	}
	return n
}

// put sets key in the mapping m, replacing an earlier value of the key.
func put(m *yaml.Node, key string, v any) {
	val := value(v)
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = val
			return
		}
	}
	m.Content = append(m.Content, scalar("!!str", key), val)
}

// get returns the value of key in the mapping m, or nil.
func get(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// child returns the mapping under key in m, adding an empty one if needed.
func child(m *yaml.Node, key string) *yaml.Node {
	if c := get(m, key); c != nil {
		return c
	}
	c := object()
	put(m, key, c)
	return c
}

// sequence returns a sequence node of the given values.
func sequence[T any](items ...T) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	for _, it := range items {
		n.Content = append(n.Content, value(it))
	}
	return n
}

func scalar(tag, v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v}
}

func value(v any) *yaml.Node {
	switch v := v.(type) {
	case *yaml.Node:
		return v
	case string:
		return scalar("!!str", v)
	case bool:
		return scalar("!!bool", strconv.FormatBool(v))
	case int:
		return scalar("!!int", strconv.Itoa(v))
	case int32:
		return scalar("!!int", strconv.FormatInt(int64(v), 10))
	case int64:
		return scalar("!!int", strconv.FormatInt(v, 10))
	case uint32:
		return scalar("!!int", strconv.FormatUint(uint64(v), 10))
	case uint64:
		return scalar("!!int", strconv.FormatUint(v, 10))
	case float32:
		return scalar("!!float", strconv.FormatFloat(float64(v), 'g', -1, 32))
	case float64:
		return scalar("!!float", strconv.FormatFloat(v, 'g', -1, 64))
	case []string:
		return sequence(v...)
	case []*yaml.Node:
		return sequence(v...)
	}
	panic(fmt.Sprintf("value: unsupported %T", v))
}
