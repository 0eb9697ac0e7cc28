import { request } from "../../api";

export interface Ticket {
  id: number;
  type: string;
  status: string;
  title: string;
  body: string;
  customer_id: number;
  customer_name?: string;
  conversation_id?: number;
  channel?: string;
  data?: Record<string, unknown>;
  created_by: string;
  created_at: string;
  updated_at: string;
  next: string[];
}

export interface TicketEvent {
  id: number;
  from?: string;
  to: string;
  actor: string;
  actor_name?: string;
  note?: string;
  created_at: string;
}

export interface TicketType {
  name: string;
  title: { zh: string; en?: string };
  states: { name: string; en?: string; final?: boolean }[];
}

export interface Doc {
  name: string;
  group: string;
  body: string;
  version: number;
  edited: boolean;
  updated_by?: string;
}

export const pbApi = {
  tickets: (params: Record<string, string>) =>
    request<{ tickets: Ticket[] }>("GET", "/api/v1/tickets?" + new URLSearchParams(params).toString()),
  ticket: (id: number) => request<{ ticket: Ticket; events: TicketEvent[] }>("GET", `/api/v1/tickets/${id}`),
  move: (id: number, to: string, note: string) => request<{ ticket: Ticket }>("POST", `/api/v1/tickets/${id}/transition`, { to, note }),
  types: () => request<{ types: TicketType[] }>("GET", "/api/v1/ticket-types"),
  docs: () => request<{ documents: Doc[] }>("GET", "/api/v1/playbooks"),
  save: (name: string, body: string, version: number) => request<{ document: Doc }>("PUT", `/api/v1/playbooks/${encodeURIComponent(name)}`, { body, version }),
  check: (name: string, body: string) => request<{ ok: boolean }>("POST", `/api/v1/playbooks/${encodeURIComponent(name)}/check`, { body, version: 0 }),
};
