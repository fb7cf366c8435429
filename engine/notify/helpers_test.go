package notify_test

import (
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"testing"
)

var mimeDecoder mime.WordDecoder

func decodeQP(t *testing.T, s string) string {
	t.Helper()
	b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(s)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
