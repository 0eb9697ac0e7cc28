// A small client for the appliance's console API: JSON in and out, the CSRF
// header on every change, and errors carrying the server's stable code.

export interface User {
  id: number;
  username: string;
  display_name: string;
  role: "admin" | "supervisor" | "agent" | "compliance" | "editor";
  status: "online" | "busy" | "away" | "offline";
  max_concurrent: number;
  skills: string[];
  senior: boolean;
  disabled: boolean;
  last_login_at?: string;
}

export interface Me {
  user: User;
  csrf_token: string;
  permissions: string[];
  version: string;
}

export interface Customer {
  id: number;
  display_name: string;
  vip_level: number;
  tags: string[];
  identities?: { kind: string; namespace?: string; value: string; verified: boolean }[];
}

export interface Decision {
  policy: string;
  lang?: string;
  nlu?: { intent: string; confidence: number; trace: { engine: string; latency_ns: number; degraded?: string } };
  knowledge?: { kind: string; confidence: number; passages?: { id: string; title: string; score: number }[] };
}

export interface Message {
  id: number;
  conversation_id: number;
  customer_id: number;
  channel: string;
  sender: "customer" | "bot" | "agent" | "system";
  sender_id?: number;
  kind: string;
  text: string;
  decision?: Decision;
  payload?: Record<string, unknown>;
  created_at: string;
}

// ChainReport is the result of verifying a conversation's message chain.
export interface ChainReport {
  conversation_id: number;
  messages: number;
  sealed: number;
  valid: boolean;
  head_hash?: string;
  problem?: "edited" | "missing" | "reordered" | "unsealed";
  broken_at?: number;
  anonymized?: boolean;
}

export interface Conversation {
  id: number;
  customer_id: number;
  channel: string;
  last_channel: string;
  status: "bot" | "queued" | "assigned" | "closed";
  assignee_id?: number;
  handoff_reason?: string;
  handoff_at?: string;
  skill_group?: string;
  priority?: number;
  summary?: string;
  assigned_at?: string;
  first_response_at?: string;
  waiting_seconds?: number;
  last_message_at: string;
  customer?: Customer;
  last_message?: Message;
}

export interface AuditEntry {
  id: number;
  actor_type: string;
  actor_id?: number;
  actor_name?: string;
  action: string;
  target_type?: string;
  target_id?: string;
  detail?: Record<string, unknown>;
  ip?: string;
  created_at: string;
}

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message);
  }
}

let csrf = "";
export function setCsrf(token: string) {
  csrf = token;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  let resp: Response;
  try {
    resp = await fetch(path, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
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

export const api = {
  login: (username: string, password: string) => request<Me>("POST", "/api/v1/auth/login", { username, password }),
  logout: () => request<{ ok: boolean }>("POST", "/api/v1/auth/logout"),
  me: () => request<Me>("GET", "/api/v1/auth/me"),
  setStatus: (status: string) => request<{ user: User }>("PUT", "/api/v1/me/status", { status }),
  changePassword: (current_password: string, new_password: string) =>
    request<{ ok: boolean }>("PUT", "/api/v1/me/password", { current_password, new_password }),
  conversations: (params: Record<string, string>) =>
    request<{ conversations: Conversation[] }>("GET", "/api/v1/conversations?" + new URLSearchParams(params)),
  conversation: (id: number) => request<{ conversation: Conversation }>("GET", `/api/v1/conversations/${id}`),
  verifyConversation: (id: number) => request<{ chain: ChainReport }>("GET", `/api/v1/conversations/${id}/verify`),
  messages: (id: number, after = 0, history = false) =>
    request<{ messages: Message[] }>("GET", `/api/v1/conversations/${id}/messages?after=${after}${history ? "&history=customer" : ""}`),
  take: (id: number) => request<{ conversation: Conversation }>("POST", `/api/v1/conversations/${id}/take`),
  handoff: (id: number) => request<{ conversation: Conversation }>("POST", `/api/v1/conversations/${id}/handoff`),
  close: (id: number) => request<{ conversation: Conversation }>("POST", `/api/v1/conversations/${id}/close`),
  send: (id: number, text: string, note: boolean) => request<{ message: Message }>("POST", `/api/v1/conversations/${id}/messages`, { text, note }),
  users: () => request<{ users: User[] }>("GET", "/api/v1/users"),
  createUser: (u: Record<string, unknown>) => request<{ user: User }>("POST", "/api/v1/users", u),
  updateUser: (id: number, u: Record<string, unknown>) => request<{ user: User }>("PATCH", `/api/v1/users/${id}`, u),
  audit: (params: Record<string, string>) => request<{ entries: AuditEntry[] }>("GET", "/api/v1/audit?" + new URLSearchParams(params)),
};
