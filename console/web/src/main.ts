import { createApp } from "vue";
import ElementPlus from "element-plus";
import "element-plus/dist/index.css";
import zhCn from "element-plus/dist/locale/zh-cn.mjs";
import enLocale from "element-plus/dist/locale/en.mjs";
import App from "./App.vue";
import { router } from "./router";
import { i18n, currentLocale } from "./i18n";
import "./style.css";

const app = createApp(App);
app.use(ElementPlus, { locale: currentLocale() === "en" ? enLocale : zhCn });
app.use(i18n);
app.use(router);
app.mount("#app");
