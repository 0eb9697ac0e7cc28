import { ref } from "vue";
import type { Conversation, Message } from "./api";

export interface ConsoleEvent {
  type: "message.created" | "conversation.updated" | "alert" | "typing" | "ping";
  message?: Message;
  conversation?: Conversation;
  alert?: { kind: string; conversation_id?: number; user_id?: number; text: string; created_at: string };
  typing?: { conversation_id?: number; customer_id: number; from: "customer" | "agent"; user_id?: number; at: string };
}

type Handler = (e: ConsoleEvent) => void;

// Realtime keeps one WebSocket to the console API open, reconnecting with
// backoff. After every (re)connect it calls onResync so views reload what
// they show: events missed while disconnected are fetched, never lost.
export class Realtime {
  connected = ref(false);
  private ws: WebSocket | null = null;
  private handlers = new Set<Handler>();
  private resync = new Set<() => void>();
  private backoff = 1000;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
    this.ws = null;
  }

  // drop closes the socket as a network failure would; it reconnects and
  // resyncs (used by the browser tests of reconnection).
  drop() {
    this.ws?.close();
  }

  on(h: Handler) {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }

  onResync(f: () => void) {
    this.resync.add(f);
    return () => this.resync.delete(f);
  }

  private open() {
    const url = location.origin.replace(/^http/, "ws") + "/api/v1/console/ws";
    const ws = new WebSocket(url);
    this.ws = ws;
    let wasOpen = false;
    ws.onopen = () => {
      wasOpen = true;
      this.backoff = 1000;
      this.connected.value = true;
      this.resync.forEach((f) => f());
    };
    ws.onmessage = (ev) => {
      let e: ConsoleEvent;
      try {
        e = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (e.type !== "ping") this.handlers.forEach((h) => h(e));
    };
    ws.onclose = () => {
      this.connected.value = false;
      if (this.ws === ws) this.ws = null;
      if (this.stopped) return;
      this.timer = setTimeout(() => this.open(), wasOpen ? 500 : this.backoff);
      this.backoff = Math.min(this.backoff * 2, 15000);
    };
  }
}

export const realtime = new Realtime();
(window as unknown as { kefuRealtime: Realtime }).kefuRealtime = realtime;
