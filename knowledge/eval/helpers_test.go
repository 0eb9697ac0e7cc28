package eval

import (
	"kefu/knowledge"
	"kefu/knowledge/embedded"
)

func newIndex() knowledge.Index { return embedded.New() }
