package knowledge_test

import (
	"testing"

	"kefu/knowledge"
	"kefu/knowledge/knowledgetest"
)

func TestMemoryRepositoryContract(t *testing.T) {
	knowledgetest.TestRepository(t, func(t *testing.T) knowledge.Repository { return knowledge.NewMemoryRepository() })
}
