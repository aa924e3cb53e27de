package main

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// config.example.toml documents every key the configuration has, and is itself valid.
func TestExampleConfigHasEveryKey(t *testing.T) {
	text, err := os.ReadFile("../../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	var c Config
	md, err := toml.Decode(string(text), &c)
	if err != nil {
		t.Fatal(err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		t.Errorf("config.example.toml has keys csprbot does not know: %v", und)
	}
	have := map[string]bool{}
	for _, k := range md.Keys() {
		have[k.String()] = true
	}
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			tag := f.Tag.Get("toml")
			if tag == "" || tag == "rules" {
				continue
			}
			key := strings.TrimPrefix(prefix+"."+tag, ".")
			ft := f.Type
			if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(duration{}) {
				walk(key, ft)
				continue
			}
			if !have[key] {
				t.Errorf("config.example.toml does not show key %s", key)
			}
		}
	}
	walk("", reflect.TypeOf(c))
	if _, err := loadConfig("../../config.example.toml"); err != nil {
		t.Errorf("config.example.toml does not load: %v", err)
	}
}
