// localeKeys lists the dotted keys of a locale's texts, for tests that check
// every Chinese text has its English one.
export function localeKeys(o: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === "object" && !Array.isArray(v) ? localeKeys(v as Record<string, unknown>, prefix + k + ".") : [prefix + k],
  );
}
