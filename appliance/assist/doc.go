// Package assist writes for agents with a local LLM served by Ollama: the
// hand-off summary an agent reads first, and a draft of their next reply
// grounded in the conversation, the customer's business records and the
// approved knowledge passages. It implements appliance.Assistant.
//
// Whatever the model writes is only ever shown to an agent, who decides what
// to send; nothing it writes reaches a customer by itself. Calls run under a
// deadline, and a failure leaves the workspace on its extractive summary and
// knowledge suggestions.
package assist
