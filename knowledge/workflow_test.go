package knowledge

import (
	"fmt"
	"testing"
)

func TestAllowedActions(t *testing.T) {
	for _, c := range []struct {
		status    Status
		published int
		want      string
	}{
		{StatusDraft, 0, "[submit]"},
		{StatusDraft, 1, "[submit unpublish]"}, // a new draft while version 1 serves
		{StatusReview, 0, "[reject publish]"},
		{StatusPublished, 2, "[unpublish]"},
		{StatusUnpublished, 0, "[submit]"},
	} {
		got := fmt.Sprint(AllowedActions(Item{ID: "x", Status: c.status, Version: 2, PublishedVersion: c.published}))
		if got != c.want {
			t.Errorf("%s (published %d): got %s, want %s", c.status, c.published, got, c.want)
		}
	}
}
