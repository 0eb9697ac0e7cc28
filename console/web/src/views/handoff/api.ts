// The hand-off workspace's API: summary, suggestions, transfer, typing, the
// routing board, the customer profile, canned replies.
import { request, type Conversation, type Customer } from "../../api";

export interface Entity { type: string; text: string; value: string }

// factText writes an entity of the summary as an agent reads it (the
// server's appliance.FactText says the same in its text): the customer's
// words, with the day a relative date meant, and a budget as its range.
export function factText(e: { type: string; text: string; value: string }, en = false): string {
  if (e.type === "date" && /^\d{4}-\d{2}-\d{2}$/.test(e.value) && !/\d/.test(e.text)) {
    const [m, d] = [Number(e.value.slice(5, 7)), Number(e.value.slice(8, 10))];
    return en ? `${e.text} (${m}/${d})` : `${e.text}（${m}月${d}日）`;
  }
  if (e.type === "money_range" && e.value.includes("-")) {
    if (e.value.startsWith("0-")) return en ? `up to ${e.value.slice(2)} yuan` : `${e.value.slice(2)}元以内`;
    return en ? `${e.value} yuan` : `${e.value}元`;
  }
  return e.text;
}

export interface HandoffSummary {
  conversation_id: number;
  reason?: string;
  intent?: string;
  intent_title?: string;
  slots?: Record<string, string>;
  entities?: Entity[];
  sentiment?: { negative: number; complaint?: boolean; cues?: string[] };
  questions: string[];
  channels: string[];
  text: string;
  source: "llm" | "extractive";
}

export interface Suggestion { kind: "knowledge" | "passage" | "draft"; text: string; title?: string; source?: string; confidence?: number }

export interface AgentState {
  id: number;
  username: string;
  display_name: string;
  role: string;
  status: "online" | "busy" | "away" | "offline";
  skills: string[];
  senior: boolean;
  load: number;
  max_concurrent: number;
}

export interface ClusterNode {
  node: string;
  users: number[];
  routing: boolean;
  started_at: string;
  heartbeat_at: string;
  self: boolean;
  alive: boolean;
  staff: number;
}

export interface SkillGroup { name: string; target_seconds: number; vip_target_seconds: number }

export interface BusinessRecord { kind: string; id: string; title: string; status?: string; amount?: string; date?: string; detail?: Record<string, string> }
export interface Ticket { id: number; type: string; status: string; title: string; created_at: string }
export interface CSAT { conversation_id: number; agent_id?: number; channel: string; score: number; comment?: string; created_at: string }

export interface ProfileCustomer extends Customer {
  attributes: Record<string, string>;
  merged_into?: number;
  erased_at?: string;
  created_at: string;
}

export interface Erasure { customer_id: number; records: number[]; conversations: number; messages: number; identities: number; tickets: number; erased_at: string }

export interface ErasureRequest {
  id: number; customer_id: number; status: "pending" | "approved" | "rejected"; reason: string;
  requested_by: number; requested_name: string; decided_name?: string; decision_note?: string;
  created_at: string; decided_at?: string; erasure?: Erasure;
}

// PendingErasure is a request in the inbox, with the customer's name.
export interface PendingErasure extends ErasureRequest {
  customer_name?: string;
}

export interface Profile {
  customer: ProfileCustomer;
  vip: { vip: boolean; reason?: string; spend?: number };
  records: BusinessRecord[];
  records_status: "ok" | "not_configured" | "unavailable";
  conversations: Conversation[];
  tickets: Ticket[];
  tickets_status: "ok" | "not_configured" | "unavailable";
  csat: CSAT[];
  csat_average?: number;
  editable: { profile: boolean; vip: boolean; erase: boolean; export: boolean; decide: boolean };
  erase_needs_approval: boolean;
  erasure_request?: ErasureRequest;
}

export interface CannedReply { id: number; shortcut: string; title: string; text: string; group?: string }

export interface ProfileUpdate { tags?: string[]; vip_level?: number; attributes?: Record<string, string> }

export const handoffApi = {
  summary: (id: number) => request<{ summary: HandoffSummary; pending: boolean }>("GET", `/api/v1/conversations/${id}/summary`),
  suggestions: (id: number, draft = false) =>
    request<{ suggestions: Suggestion[] }>("GET", `/api/v1/conversations/${id}/suggestions${draft ? "?draft=1" : ""}`),
  transfer: (id: number, body: { agent_id?: number; group?: string; note?: string }) =>
    request<{ conversation: Conversation }>("POST", `/api/v1/conversations/${id}/transfer`, body),
  typing: (id: number) => request<{ ok: boolean }>("POST", `/api/v1/conversations/${id}/typing`),
  agents: () => request<{ agents: AgentState[] }>("GET", "/api/v1/routing/agents"),
  nodes: () => request<{ enabled: boolean; nodes: ClusterNode[] }>("GET", "/api/v1/routing/nodes"),
  groups: () => request<{ groups: SkillGroup[] }>("GET", "/api/v1/routing/groups"),
  profile: (customerId: number) => request<{ profile: Profile }>("GET", `/api/v1/customers/${customerId}/profile`),
  updateCustomer: (customerId: number, u: ProfileUpdate) => request<{ customer: ProfileCustomer }>("PATCH", `/api/v1/customers/${customerId}`, u),
  // With four eyes (the default) the answer is the request; alone, the erasure.
  eraseCustomer: (customerId: number, reason: string) =>
    request<{ erasure?: Erasure; request?: ErasureRequest }>("POST", `/api/v1/customers/${customerId}/erase`, { reason }),
  erasureRequests: () => request<{ requests: PendingErasure[] }>("GET", "/api/v1/erasure-requests"),
  decideErasure: (requestId: number, approve: boolean, note: string) =>
    request<{ request: ErasureRequest }>("POST", `/api/v1/erasure-requests/${requestId}/${approve ? "approve" : "reject"}`, { note }),
  canned: () => request<{ replies: CannedReply[] }>("GET", "/api/v1/canned-replies"),
  createCanned: (r: Partial<CannedReply>) => request<{ reply: CannedReply }>("POST", "/api/v1/canned-replies", r),
  updateCanned: (id: number, r: Partial<CannedReply>) => request<{ reply: CannedReply }>("PATCH", `/api/v1/canned-replies/${id}`, r),
  deleteCanned: (id: number) => request<{ ok: boolean }>("DELETE", `/api/v1/canned-replies/${id}`),
};

// Skill groups are loaded once per console: their targets colour the queue.
let groupsCache: Promise<SkillGroup[]> | null = null;
export function loadGroups(): Promise<SkillGroup[]> {
  if (!groupsCache) groupsCache = handoffApi.groups().then((r) => r.groups).catch(() => { groupsCache = null; return []; });
  return groupsCache;
}

// matchCanned returns the canned replies a "/shortcut" prefix selects,
// best match first: exact shortcut, then shortcut prefix, then title.
export function matchCanned(list: CannedReply[], draft: string): CannedReply[] {
  if (!draft.startsWith("/")) return [];
  const q = draft.slice(1).trim().toLowerCase();
  const score = (r: CannedReply) => {
    const s = r.shortcut.toLowerCase();
    if (s === q) return 0;
    if (s.startsWith(q)) return 1;
    if (r.title.toLowerCase().includes(q) || r.text.includes(q)) return 2;
    return 3;
  };
  return list.filter((r) => score(r) < 3).sort((a, b) => score(a) - score(b) || a.shortcut.localeCompare(b.shortcut));
}

// firstResponseTarget is how long a conversation's customer should wait for
// a first human reply, in seconds: the group's VIP target for VIPs.
export function firstResponseTarget(groups: SkillGroup[], c: { skill_group?: string; priority?: number }, vipPriority = 10): number {
  const g = groups.find((x) => x.name === c.skill_group) || groups[0];
  if (!g) return 0;
  return (c.priority || 0) >= vipPriority ? g.vip_target_seconds : g.target_seconds;
}
