package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/appliance/store"
)

func TestCSATScoresForAudits(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for conv, score := range map[int64]int{11: 5, 12: 2} {
			if err := s.RecordCSAT(ctx, &appliance.CSAT{ConversationID: conv, CustomerID: 1, Channel: "web", Score: score, CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.CSATScores(ctx, []int64{11, 12, 13})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[int64]int{11: 5, 12: 2}; !reflect.DeepEqual(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		var _ appliance.CSATSource = s
	})
}
