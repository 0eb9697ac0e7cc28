// The knowledge base's console API (see console/knowledge.go).
import { ApiError, request } from "../../api";
import { session } from "../../session";

export type Kind = "document" | "faq";
export type Status = "draft" | "review" | "published" | "unpublished";
export type Action = "submit" | "reject" | "publish" | "unpublish";

export interface Item {
  id: string;
  kind: Kind;
  title: string;
  status: Status;
  version: number;
  published_version: number;
  format?: string;
  source?: string;
  tags: string[];
  channels?: string[];
  segments?: string[];
  lang?: string;
  created_by: string;
  updated_by: string;
  created_at: string;
  updated_at: string;
  actions: Action[];
}

export interface FAQ {
  id: string;
  question: string;
  similar?: string[];
  answer: string;
  tags?: string[];
}

export interface Chunk {
  id: string;
  ordinal: number;
  heading_path?: string[];
  text: string;
}

export interface Version {
  item_id: string;
  number: number;
  title: string;
  format?: string;
  source?: string;
  size?: number;
  text?: string;
  faq?: FAQ;
  tags?: string[];
  chunks?: Chunk[];
  author: string;
  note?: string;
  created_at: string;
}

export interface HistoryEvent {
  id: number;
  version: number;
  action: string;
  from?: Status;
  to: Status;
  actor: string;
  note?: string;
  at: string;
}

export interface Passage {
  id: string;
  document_id: string;
  kind?: Kind;
  version?: number;
  title: string;
  heading_path?: string[];
  text: string;
  score: number;
  scores?: Record<string, number>;
}

export interface Answer {
  kind: "faq" | "generated" | "extractive" | "none";
  text: string;
  confidence: number;
  citations?: { passage_id: string; document_id: string; title: string }[];
  passages: Passage[];
  notes?: string[];
}

export interface TryResult {
  answer: Answer;
  reply: string;
  latency_ms: number;
}

export interface UploadResult {
  file: string;
  format: string;
  items: Item[];
  chunks: number;
  duplicates?: { item_id: string; exact: boolean; similarity: number }[];
}

const base = "/api/v1/knowledge";
const enc = encodeURIComponent;

// upload posts one file as multipart/form-data with the CSRF header.
async function upload<T>(path: string, file: File, fields: Record<string, string>): Promise<T> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== "") form.append(k, v);
  form.append("file", file, file.name);
  let resp: Response;
  try {
    resp = await fetch(path, { method: "POST", body: form, credentials: "same-origin", headers: { "X-CSRF-Token": session.me?.csrf_token || "" } });
  } catch {
    throw new ApiError(0, "network", "network error");
  }
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    const e = (data && data.error) || {};
    throw new ApiError(resp.status, e.code || "internal_error", e.message || resp.statusText);
  }
  return data as T;
}

export const kb = {
  items: (params: Record<string, string>) => request<{ items: Item[]; total: number }>("GET", `${base}/items?` + new URLSearchParams(params)),
  item: (id: string) => request<{ item: Item; versions: Version[]; history: HistoryEvent[] }>("GET", `${base}/items/${enc(id)}`),
  version: (id: string, n: number) => request<{ version: Version }>("GET", `${base}/items/${enc(id)}/versions/${n}`),
  transition: (id: string, action: Action, note: string) => request<{ item: Item }>("POST", `${base}/items/${enc(id)}/transitions`, { action, note }),
  edit: (id: string, body: Record<string, unknown>) => request<{ item: Item }>("PUT", `${base}/items/${enc(id)}`, body),
  createFAQ: (body: Record<string, unknown>) => request<{ item: Item }>("POST", `${base}/faqs`, body),
  tryIt: (text: string) => request<TryResult>("POST", `${base}/try`, { text }),
  upload: (file: File, fields: Record<string, string>) => upload<UploadResult>(`${base}/uploads`, file, fields),
  replaceFile: (id: string, file: File, fields: Record<string, string>) => upload<{ item: Item }>(`${base}/items/${enc(id)}/file`, file, fields),
};

// splitList turns "a, b；c" or one-per-line text into a list.
export function splitList(s: string): string[] {
  return s.split(/[,，、;；\n]+/).map((x) => x.trim()).filter((x) => x !== "");
}

export const statusType: Record<Status, "info" | "warning" | "success" | "danger"> = {
  draft: "info",
  review: "warning",
  published: "success",
  unpublished: "danger",
};

// errorText shows a server error in the console's language and keeps the
// server's message, which names the file that was refused.
export function errorText(e: unknown, t: (k: string) => string, te: (k: string) => boolean): string {
  if (!(e instanceof ApiError)) return String(e);
  const key = "knowledge.errors." + e.code;
  const core = "errors." + e.code;
  const label = te(key) ? t(key) : te(core) ? t(core) : "";
  return label ? `${label}：${e.message}` : e.message;
}

// splitLines keeps one entry per line (similar questions may hold commas).
export function splitLines(s: string): string[] {
  return s.split("\n").map((x) => x.trim()).filter((x) => x !== "");
}
