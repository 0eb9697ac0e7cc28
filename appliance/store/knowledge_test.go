package store_test

import (
	"testing"

	"kefu/appliance/store/storetest"
	"kefu/knowledge"
	"kefu/knowledge/knowledgetest"
)

// The GORM repository honours the same contract as the in-memory one, on
// both databases.
func TestKnowledgeRepository(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			knowledgetest.TestRepository(t, func(t *testing.T) knowledge.Repository {
				return storetest.Open(t, d).Knowledge()
			})
		})
	}
}
