// Texts of the tickets and playbooks pages (issue 6).
const zh = {
  pbnav: { tickets: "工单", playbooks: "行业玩法" },
  tickets: {
    title: "工单", type: "类型", status: "状态", all: "全部", customer: "客户", created: "创建时间", createdBy: "创建方",
    titleCol: "标题", empty: "暂无工单", select: "请选择一个工单", history: "处理记录", move: "流转到", note: "备注（客户可见的原因，如拒绝原因）",
    data: "工单信息", photos: "照片", conversation: "会话", moved: "工单已流转为 {s}，已通知客户", final: "已是最终状态",
    by: { bot: "机器人", agent: "客服", action: "业务动作", system: "系统" }, created_event: "创建",
  },
  playbooks: {
    title: "行业玩法与业务配置", hint: "修改保存后立即生效，无需重启；保存前会校验格式。", save: "校验并保存", check: "仅校验",
    saved: "已保存并生效（版本 {v}）", valid: "格式正确", edited: "已修改", shipped: "默认", version: "版本",
    groups: { playbooks: "行业玩法", actions: "业务动作", tickets: "工单类型" },
  },
};

const en: typeof zh = {
  pbnav: { tickets: "Tickets", playbooks: "Playbooks" },
  tickets: {
    title: "Tickets", type: "Type", status: "Status", all: "All", customer: "Customer", created: "Created", createdBy: "Created by",
    titleCol: "Title", empty: "No tickets", select: "Select a ticket", history: "History", move: "Move to", note: "Note (shown to the customer, e.g. why it was rejected)",
    data: "Details", photos: "Photos", conversation: "Conversation", moved: "Moved to {s}; the customer was told", final: "Final state",
    by: { bot: "Bot", agent: "Agent", action: "Business action", system: "System" }, created_event: "Created",
  },
  playbooks: {
    title: "Playbooks and business settings", hint: "Saved changes apply at once, without a restart; they are validated first.", save: "Validate and save", check: "Validate only",
    saved: "Saved and applied (version {v})", valid: "Valid", edited: "Edited", shipped: "Shipped", version: "Version",
    groups: { playbooks: "Playbooks", actions: "Business actions", tickets: "Ticket types" },
  },
};

export default { zh, en };
