import { reactive } from "vue";
import { api, setCsrf, type Me } from "./api";

// The logged-in user, shared by every view.
export const session = reactive<{ me: Me | null; checked: boolean }>({ me: null, checked: false });

export function can(permission: string): boolean {
  return !!session.me && session.me.permissions.includes(permission);
}

export async function loadSession(): Promise<Me | null> {
  try {
    const me = await api.me();
    setCsrf(me.csrf_token);
    session.me = me;
  } catch {
    session.me = null;
  }
  session.checked = true;
  return session.me;
}

export async function login(username: string, password: string): Promise<Me> {
  const me = await api.login(username, password);
  setCsrf(me.csrf_token);
  session.me = me;
  session.checked = true;
  return me;
}

export async function logout() {
  try {
    await api.logout();
  } finally {
    session.me = null;
    setCsrf("");
  }
}
