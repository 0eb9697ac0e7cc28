import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

// The built console is embedded in the Go binary (console/web/embed.go).
export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:8080", ws: true },
      "/widget": "http://127.0.0.1:8080",
    },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.ts"],
  },
} as any);
