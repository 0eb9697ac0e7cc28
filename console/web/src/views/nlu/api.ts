// The intent catalog's API and types: the catalog as the structured editor
// holds it, its saved versions, and what the NLU makes of a sentence.
import { request } from "../../api";

export interface Text {
  zh: string;
  en?: string;
}

export interface Slot {
  name: string;
  entity: string;
  required?: boolean;
  focus?: string;
  satisfied_by?: string[];
  ask: Text;
}

export interface Intent {
  name: string;
  family?: string;
  description: Text;
  examples: { zh?: string[]; en?: string[] };
  slots?: Slot[];
  fulfilment: { kind: string; action?: string; query?: string };
  handoff?: boolean;
  requires_verification?: boolean;
  risk_disclosure?: boolean;
  follow_up?: boolean;
  after?: string[];
}

export interface Term {
  type: string;
  value: string;
  aliases?: string[];
  category?: string;
}

export interface Catalog {
  name: string;
  title: Text;
  intents: Intent[];
  terms?: Term[];
  out_of_scope?: { zh?: string[]; en?: string[] };
}

export interface CatalogVersion {
  version: number;
  name: string;
  yaml?: string;
  intents: number;
  examples: number;
  author_name?: string;
  note?: string;
  created_at: string;
}

export interface CatalogView {
  version: number;
  source: "database" | "configuration";
  saved?: CatalogVersion;
  catalog: Catalog;
  yaml: string;
  intents: number;
  examples: number;
  entity_types: string[];
}

export interface Entity {
  type: string;
  text: string;
  value: string;
}

export interface Step {
  engine: string;
  intent?: string;
  confidence?: number;
  out_of_scope?: boolean;
  latency_ns: number;
  outcome: string;
}

export interface NluResult {
  intent: string;
  confidence: number;
  out_of_scope?: boolean;
  entities?: Entity[];
  slots?: Record<string, string>;
  sentiment?: { negative: number; complaint?: boolean; cues?: string[] };
  trace: { engine: string; latency_ns: number; degraded?: string; candidates?: { intent: string; score: number }[]; steps?: Step[] };
}

export const nluApi = {
  catalog: () => request<CatalogView>("GET", "/api/v1/nlu/catalog"),
  validate: (body: { catalog?: Catalog; yaml?: string }) =>
    request<{ ok: boolean; catalog: Catalog; yaml: string; intents: number; examples: number }>("POST", "/api/v1/nlu/catalog/validate", body),
  save: (body: { catalog?: Catalog; yaml?: string; base_version: number; note: string }) =>
    request<{ version: CatalogVersion }>("PUT", "/api/v1/nlu/catalog", body),
  versions: () => request<{ versions: CatalogVersion[] }>("GET", "/api/v1/nlu/catalog/versions"),
  version: (n: number) => request<{ version: CatalogVersion }>("GET", `/api/v1/nlu/catalog/versions/${n}`),
  parse: (text: string) => request<{ result: NluResult }>("POST", "/api/v1/nlu/parse", { text }),
};
