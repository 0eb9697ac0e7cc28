// The QA, jobs and analytics endpoints (issue 5), on the shared client.
import { request } from "../../api";

export interface QARule {
  id: number;
  name: string;
  kind: "phrase" | "required" | "pii" | "first_response" | "reply_gap" | "rude";
  severity: "high" | "medium" | "low";
  phrases: string[];
  intents: string[];
  limit_seconds: number;
  enabled: boolean;
  description: string;
}

export interface QAHit {
  conversation_id: number;
  message_id: number;
  agent_id?: number;
  rule_id: number;
  rule_name: string;
  kind: string;
  severity: string;
  excerpt: string;
  message_text: string;
  message_at: string;
}

export interface QAAlert extends QAHit {
  id: number;
  created_at: string;
}

export interface QAReport {
  id: number;
  day: string;
  version: number;
  status: "running" | "complete" | "failed";
  conversations: number;
  flagged: number;
  hits: number;
  judged: number;
  summary?: Record<string, unknown>;
  content_hash: string;
  created_at: string;
  completed_at?: string;
}

export interface Judge {
  correctness: number;
  compliance: number;
  empathy: number;
  rationale: string;
  error?: string;
}

export interface QAItem {
  conversation_id: number;
  channel: string;
  agent_id?: number;
  resolution: "bot_resolved" | "handed_off" | "abandoned";
  messages: number;
  hits: number;
  severity?: string;
  first_response_ms: number;
  max_reply_gap_ms: number;
  csat?: number;
  judge?: Judge;
  started_at: string;
  hit_list?: QAHit[];
}

export interface JobRun {
  id: number;
  job: string;
  trigger: string;
  for_date?: string;
  node?: string;
  status: "running" | "succeeded" | "failed" | "cancelled";
  counts?: Record<string, number>;
  error?: string;
  started_at: string;
  finished_at?: string;
}

export interface JobInfo {
  name: string;
  description: string;
  schedule: string;
  catch_up: boolean;
  next?: string;
  last_run?: JobRun;
}

export interface AnalyticsReport {
  period: "day" | "week";
  start: string;
  end: string;
  conversations: number;
  customer_messages: number;
  channels: { channel: string; conversations: number; customer_messages: number }[];
  resolution: Record<string, number>;
  bot_resolution_rate: number;
  handoff_rate: number;
  first_response: { count: number; avg_seconds: number; p90_seconds: number };
  csat: { given: number; distribution: number[]; average: number };
  top_intents: { intent: string; count: number; example: string }[];
  knowledge_gaps: { label: string; count: number; examples: string[] }[];
  unanswered: number;
  heatmap: number[][];
  generated_at: string;
}

const q = (p: Record<string, string | number | boolean | undefined>) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== "" && v !== false) u.set(k, String(v === true ? 1 : v));
  return u.toString();
};

export const qaApi = {
  rules: () => request<{ rules: QARule[]; kinds: string[] }>("GET", "/api/v1/qa/rules"),
  createRule: (r: Partial<QARule>) => request<{ rule: QARule }>("POST", "/api/v1/qa/rules", r),
  updateRule: (id: number, r: Partial<QARule>) => request<{ rule: QARule }>("PUT", `/api/v1/qa/rules/${id}`, r),
  deleteRule: (id: number) => request<{ ok: boolean }>("DELETE", `/api/v1/qa/rules/${id}`),
  check: (text: string) => request<{ hits: QAHit[] }>("POST", "/api/v1/qa/check", { text }),
  alerts: (before = 0) => request<{ alerts: QAAlert[] }>("GET", `/api/v1/qa/alerts?${q({ before: before || undefined })}`),
  reports: (day = "") => request<{ reports: QAReport[] }>("GET", `/api/v1/qa/reports?${q({ day })}`),
  report: (id: number) => request<{ report: QAReport; hit_counts: Record<string, number> }>("GET", `/api/v1/qa/reports/${id}`),
  items: (id: number, f: Record<string, string | number | boolean | undefined>) =>
    request<{ items: QAItem[]; more: boolean }>("GET", `/api/v1/qa/reports/${id}/items?${q(f)}`),
  item: (id: number, conv: number) => request<{ item: QAItem }>("GET", `/api/v1/qa/reports/${id}/items/${conv}`),
  verify: (id: number) => request<{ valid: boolean; recorded_hash: string; computed_hash: string }>("GET", `/api/v1/qa/reports/${id}/verify`),
  exportURL: (id: number, format: string, f: Record<string, string | number | boolean | undefined>) =>
    `/api/v1/qa/reports/${id}/export?${q({ ...f, format, after: undefined, limit: undefined })}`,
  jobs: () => request<{ jobs: JobInfo[] }>("GET", "/api/v1/jobs"),
  runs: (job = "") => request<{ runs: JobRun[] }>("GET", `/api/v1/jobs/runs?${q({ job })}`),
  runJob: (name: string, date: string) => request<{ run: JobRun }>("POST", `/api/v1/jobs/${name}/run`, date ? { date } : {}),
  analytics: (period: string, date: string) => request<{ report: AnalyticsReport }>("GET", `/api/v1/analytics?${q({ period, date })}`),
  analyticsExportURL: (period: string, date: string, format: string) => `/api/v1/analytics/export?${q({ period, date, format })}`,
};
