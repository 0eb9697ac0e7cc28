import type { Feature } from "./types";
import ChannelsView from "../views/channels/ChannelsView.vue";

// Channel set-up: WeChat official accounts and mini programs, WeCom 微信客服,
// Douyin (admins).
const feature: Feature = {
  routes: [{ path: "channel-setup", component: ChannelsView, meta: { perm: "channels.manage" } }],
  nav: [{ path: "/channel-setup", label: "channelSetup.nav", perm: "channels.manage", testid: "nav-channel-setup", order: 70 }],
};
export default feature;
