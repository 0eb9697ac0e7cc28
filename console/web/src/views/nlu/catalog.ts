// Pure helpers of the catalog editor, kept out of the components so they can
// be unit-tested.
import type { Catalog, Intent } from "./api";

// newIntent returns an empty intent with a name not yet taken.
export function newIntent(cat: Catalog): Intent {
  let n = 1;
  const taken = new Set(cat.intents.map((i) => i.name));
  while (taken.has(`new_intent_${n}`)) n++;
  return { name: `new_intent_${n}`, description: { zh: "", en: "" }, examples: { zh: [], en: [] }, slots: [], fulfilment: { kind: "knowledge" } };
}

// addExample adds an utterance to an intent unless it is empty or already there
// (in any intent: the server refuses an example shared by two intents).
// It returns an error code, or "" when added.
export function addExample(cat: Catalog, intent: Intent, lang: "zh" | "en", text: string): string {
  const t = text.trim();
  if (!t) return "empty";
  const key = t.toLowerCase();
  for (const other of cat.intents) {
    const all = [...(other.examples.zh || []), ...(other.examples.en || [])];
    if (all.some((e) => e.trim().toLowerCase() === key)) return other === intent ? "duplicate" : "taken:" + other.name;
  }
  intent.examples[lang] = [...(intent.examples[lang] || []), t];
  return "";
}

// exampleCount counts an intent's utterances in both languages.
export function exampleCount(i: Intent): number {
  return (i.examples.zh?.length || 0) + (i.examples.en?.length || 0);
}

// clean drops the empty optional parts the editor creates (blank English
// texts, empty lists) so the server's strict decoding and the YAML stay tidy.
export function clean(cat: Catalog): Catalog {
  const c: Catalog = JSON.parse(JSON.stringify(cat));
  for (const i of c.intents) {
    if (!i.family) delete i.family;
    if (!i.description.en) delete i.description.en;
    if (!i.examples.en?.length) delete i.examples.en;
    if (!i.examples.zh?.length) delete i.examples.zh;
    if (!i.slots?.length) delete i.slots;
    for (const s of i.slots || []) {
      if (!s.focus) delete s.focus;
      if (!s.satisfied_by?.length) delete s.satisfied_by;
      if (!s.ask.en) delete s.ask.en;
    }
    if (!i.fulfilment.action) delete i.fulfilment.action;
    if (!i.fulfilment.query) delete i.fulfilment.query;
  }
  for (const t of c.terms || []) {
    if (!t.aliases?.length) delete t.aliases;
    if (!t.category) delete t.category;
  }
  return c;
}

// termTypes lists the catalog's own term types, which slots may use besides
// the built-in entity types.
export function termTypes(cat: Catalog): string[] {
  return [...new Set((cat.terms || []).map((t) => t.type))].sort();
}

// microseconds renders a latency in nanoseconds.
export function micros(ns: number): string {
  if (ns >= 1e6) return (ns / 1e6).toFixed(1) + " ms";
  return Math.round(ns / 1e3) + " µs";
}
