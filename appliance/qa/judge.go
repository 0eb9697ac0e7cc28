package qa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"kefu/appliance"
	"kefu/appliance/pii"
)

// Judge error codes, recorded on an item when the judge could not score it.
const (
	JudgeTimeout     = "judge_timeout"
	JudgeUnavailable = "judge_unavailable"
	JudgeInvalidJSON = "judge_invalid_json"
	JudgeSchema      = "judge_schema_violation"
)

// JudgeError is a failed or rejected judge call, with a stable code.
type JudgeError struct {
	Code string
	Err  error
}

func (e *JudgeError) Error() string { return "qa: " + e.Code + ": " + e.Err.Error() }
func (e *JudgeError) Unwrap() error { return e.Err }

// JudgeErrorCode returns the code of a *JudgeError in err's chain, or judge_unavailable.
func JudgeErrorCode(err error) string {
	var e *JudgeError
	if errors.As(err, &e) {
		return e.Code
	}
	return JudgeUnavailable
}

// judgeSchema is sent to Ollama as the reply format and validates the reply.
const judgeSchema = `{
  "type": "object",
  "properties": {
    "correctness": {"type": "integer", "minimum": 1, "maximum": 5},
    "compliance":  {"type": "integer", "minimum": 1, "maximum": 5},
    "empathy":     {"type": "integer", "minimum": 1, "maximum": 5},
    "rationale":   {"type": "string", "minLength": 1, "maxLength": 400}
  },
  "required": ["correctness", "compliance", "empathy", "rationale"],
  "additionalProperties": false
}`

const judgeSystem = `你是客服质检员。请阅读一段客服对话（客户、机器人、人工坐席），以及机器人当时检索到的知识库段落，按以下标准各打 1-5 分：
correctness：回答是否与知识库一致、准确（知识库没有的内容不得编造）；
compliance：是否合规（理财须做风险提示，不得明文发送手机号、身份证号、银行卡号，不得承诺保本保收益）；
empathy：是否礼貌、耐心、体谅客户。
rationale：用一两句中文说明主要扣分原因。只输出 JSON。`

// OllamaJudge scores conversations with a local chat model.
type OllamaJudge struct {
	client    *api.Client
	model     string
	timeout   time.Duration
	validator *jsonschema.Schema
}

// NewOllamaJudge returns a judge asking model through client.
func NewOllamaJudge(client *api.Client, model string, timeout time.Duration) (*OllamaJudge, error) {
	if client == nil || model == "" {
		return nil, errors.New("qa: the judge needs an Ollama client and a model")
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(judgeSchema))
	if err != nil {
		return nil, fmt.Errorf("qa: judge schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("kefu-judge.json", doc); err != nil {
		return nil, fmt.Errorf("qa: judge schema: %w", err)
	}
	v, err := c.Compile("kefu-judge.json")
	if err != nil {
		return nil, fmt.Errorf("qa: judge schema: %w", err)
	}
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	return &OllamaJudge{client: client, model: model, timeout: timeout, validator: v}, nil
}

// Judge implements Judge.
func (j *OllamaJudge) Judge(ctx context.Context, conv *appliance.Conversation, msgs []*appliance.Message) (*appliance.JudgeResult, error) {
	ctx, cancel := context.WithTimeout(ctx, j.timeout)
	defer cancel()
	stream := false
	req := &api.ChatRequest{
		Model:   j.model,
		Stream:  &stream,
		Format:  json.RawMessage(judgeSchema),
		Options: map[string]any{"temperature": 0},
		Messages: []api.Message{
			{Role: "system", Content: judgeSystem},
			{Role: "user", Content: judgePrompt(msgs)},
		},
	}
	var out strings.Builder
	err := j.client.Chat(ctx, req, func(r api.ChatResponse) error {
		out.WriteString(r.Message.Content)
		return nil
	})
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, &JudgeError{Code: JudgeTimeout, Err: err}
		}
		return nil, &JudgeError{Code: JudgeUnavailable, Err: err}
	}
	var doc any
	if err := json.Unmarshal([]byte(out.String()), &doc); err != nil {
		return nil, &JudgeError{Code: JudgeInvalidJSON, Err: err}
	}
	if err := j.validator.Validate(doc); err != nil {
		return nil, &JudgeError{Code: JudgeSchema, Err: err}
	}
	var res appliance.JudgeResult
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		return nil, &JudgeError{Code: JudgeSchema, Err: err}
	}
	res.Model = j.model
	return &res, nil
}

// judgePrompt writes the transcript with personal numbers masked, and the
// knowledge passages the bot retrieved, which are what "correct" means.
func judgePrompt(msgs []*appliance.Message) string {
	var b strings.Builder
	seen := map[string]bool{}
	var passages []string
	b.WriteString("对话 Transcript:\n")
	for _, m := range msgs {
		if m.Kind == appliance.KindNote {
			continue
		}
		fmt.Fprintf(&b, "[%s] %s\n", m.Sender, pii.Mask(m.Text))
		if m.Decision != nil && m.Decision.Knowledge != nil {
			for _, p := range m.Decision.Knowledge.Passages {
				if !seen[p.ID] && len(passages) < 6 {
					seen[p.ID] = true
					passages = append(passages, fmt.Sprintf("《%s》%s", p.Title, clipRunes(p.Text, 300)))
				}
			}
		}
	}
	b.WriteString("\n知识库段落 Knowledge passages:\n")
	if len(passages) == 0 {
		b.WriteString("（无 none）\n")
	}
	for _, p := range passages {
		b.WriteString("- " + p + "\n")
	}
	return b.String()
}

func clipRunes(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}
