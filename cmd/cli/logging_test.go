package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestLogsMaskPersonalNumbers(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var b bytes.Buffer
		log := NewLogger(&b, "info", format)
		log.Info("customer wrote 我的手机号13812345678", "text", "身份证110105199003071234", "error", errors.New("card 6222021234567890128 refused"))
		out := b.String()
		for _, leak := range []string{"13812345678", "110105199003071234", "6222021234567890128"} {
			if strings.Contains(out, leak) {
				t.Errorf("%s log leaks %s:\n%s", format, leak, out)
			}
		}
		if !strings.Contains(out, "138****5678") {
			t.Errorf("%s log lacks the masked phone:\n%s", format, out)
		}
	}
}
