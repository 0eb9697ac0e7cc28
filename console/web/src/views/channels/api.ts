// The console API of channel set-up: WeChat official accounts and mini
// programs, WeCom 微信客服, Douyin. Secrets go in, only masks come out.
import { request } from "../../api";

export interface ChannelField {
  name: string;
  type: "text" | "secret" | "select" | "bool" | "lines" | "list";
  required?: boolean;
  options?: string[];
  default?: string;
}

export interface ChannelKind {
  kind: string;
  key_name: string;
  fields: ChannelField[];
}

export interface ChannelAccount {
  id: number;
  kind: string;
  key: string;
  name: string;
  enabled: boolean;
  settings: Record<string, string>;
  secrets: Record<string, string>; // masks of the secrets that are set
  url: string;
  running: boolean;
  error?: string;
  updated_at: string;
}

export interface ChannelAccountInput {
  kind: string;
  key: string;
  name: string;
  enabled: boolean;
  settings: Record<string, string>;
  secrets: Record<string, string>; // empty values keep the stored secret
}

export const channelsApi = {
  kinds: () => request<{ kinds: ChannelKind[] }>("GET", "/api/v1/channels/kinds"),
  list: () => request<{ accounts: ChannelAccount[] }>("GET", "/api/v1/channels/accounts"),
  create: (a: ChannelAccountInput) => request<{ account: ChannelAccount }>("POST", "/api/v1/channels/accounts", a),
  update: (id: number, a: ChannelAccountInput) => request<{ account: ChannelAccount }>("PUT", `/api/v1/channels/accounts/${id}`, a),
  remove: (id: number) => request<unknown>("DELETE", `/api/v1/channels/accounts/${id}`),
};

// blankInput is a new account of a kind, with the kind's defaults.
export function blankInput(k: ChannelKind): ChannelAccountInput {
  const settings: Record<string, string> = {};
  for (const f of k.fields) if (f.type !== "secret") settings[f.name] = f.default ?? "";
  return { kind: k.kind, key: "", name: "", enabled: true, settings, secrets: {} };
}

// toInput is an existing account ready to edit: secrets start empty (kept
// unless typed again).
export function toInput(a: ChannelAccount, k: ChannelKind): ChannelAccountInput {
  const input = blankInput(k);
  Object.assign(input.settings, a.settings);
  return { ...input, key: a.key, name: a.name, enabled: a.enabled };
}
