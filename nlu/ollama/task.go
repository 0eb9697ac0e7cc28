package ollama

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"kefu/nlu"
)

// OutOfScope is the intent the model answers when no catalog intent fits.
const OutOfScope = "out_of_scope"

// Task is a catalog compiled for the model: the JSON schema sent as Format,
// the validator built from the very same schema, and the system prompt.
// Build one per catalog version; it is immutable and safe for concurrent use.
type Task struct {
	cat       *nlu.Catalog
	format    json.RawMessage
	validator *jsonschema.Schema
	system    string
	slots     map[string]map[string]bool // intent → its slot names
}

// NewTask compiles a catalog.
func NewTask(cat *nlu.Catalog) (*Task, error) {
	if cat == nil || len(cat.Intents) == 0 {
		return nil, fmt.Errorf("ollama: a task needs a catalog with intents")
	}
	t := &Task{cat: cat, slots: map[string]map[string]bool{}}
	intents := append(cat.IntentNames(), OutOfScope)
	slotProps := map[string]any{}
	for _, in := range cat.Intents {
		t.slots[in.Name] = map[string]bool{}
		for _, s := range in.Slots {
			t.slots[in.Name][s.Name] = true
			slotProps[s.Name] = map[string]any{"type": "string"}
		}
	}
	schema := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"intent":     map[string]any{"type": "string", "enum": intents},
			"confidence": map[string]any{"type": "number", "minimum": 0, "maximum": 1},
			"slots":      map[string]any{"type": "object", "properties": slotProps, "additionalProperties": false},
		},
		"required":             []string{"intent", "confidence", "slots"},
		"additionalProperties": false,
	}
	raw, err := json.Marshal(schema)
	if err != nil {
		return nil, fmt.Errorf("ollama: encoding the schema: %w", err)
	}
	t.format = raw
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("ollama: reading the schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("kefu-intent.json", doc); err != nil {
		return nil, fmt.Errorf("ollama: loading the schema: %w", err)
	}
	if t.validator, err = c.Compile("kefu-intent.json"); err != nil {
		return nil, fmt.Errorf("ollama: compiling the schema: %w", err)
	}
	t.system = systemPrompt(cat)
	return t, nil
}

// Format is the JSON schema sent to Ollama.
func (t *Task) Format() json.RawMessage { return slices.Clone(t.format) }

// Catalog is the catalog the task was built from.
func (t *Task) Catalog() *nlu.Catalog { return t.cat }

func systemPrompt(cat *nlu.Catalog) string {
	var b strings.Builder
	b.WriteString("你是客服系统的意图识别模块。You classify one customer message into exactly one intent of the catalog below and extract its slots.\n")
	b.WriteString("Rules:\n- Answer with one JSON object only: {\"intent\": ..., \"confidence\": 0..1, \"slots\": {...}}.\n")
	b.WriteString("- intent must be one of the names listed; answer \"" + OutOfScope + "\" when none fits (weather, chit-chat, other businesses).\n")
	b.WriteString("- Only fill slots of the chosen intent, copying the customer's own words (\"明天\", \"三百到五百\"); leave out what the message does not say.\n")
	b.WriteString("- confidence is your probability that the intent is right.\n\nIntents:\n")
	for _, in := range cat.Intents {
		fmt.Fprintf(&b, "- %s: %s", in.Name, in.Description.Get("zh"))
		if in.Description.En != "" {
			fmt.Fprintf(&b, " / %s", in.Description.En)
		}
		if len(in.Slots) > 0 {
			names := make([]string, len(in.Slots))
			for i, s := range in.Slots {
				names[i] = s.Name + " (" + s.Entity + ")"
			}
			fmt.Fprintf(&b, "; slots: %s", strings.Join(names, ", "))
		}
		ex := in.Examples.All()
		if len(ex) > 3 {
			ex = ex[:3]
		}
		if len(ex) > 0 {
			fmt.Fprintf(&b, "; e.g. %s", strings.Join(quoteAll(ex), ", "))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}
