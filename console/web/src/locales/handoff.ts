// Texts of hand-off, routing and the agent workspace (issue 4).
const zh = {
  handoff: {
    nav: { board: "路由看板", canned: "快捷回复", erasures: "删除申请" },
    erasures: {
      title: "待审批的删除申请", hint: "客户要求删除个人信息：由另一位管理员或合规专员在客户资料中批准或驳回", reload: "刷新",
      none: "没有待审批的删除申请", asked: "申请时间", customer: "客户", visitor: "访客 #{id}", by: "申请人", reason: "原因", open: "查看并审批",
    },
    summary: {
      title: "转人工摘要", complaint: "投诉", negative: "情绪不满", llm: "AI 摘要", extractive: "自动提取", writing: "AI 摘要生成中…",
      intent: "诉求：", facts: "已知信息：", questions: "最近的问题：",
    },
    entity: {
      order_no: "订单号", tracking_no: "运单号", phone: "手机号", product: "商品", date: "日期", money: "金额", course: "课程",
      purchase_date: "购买日期", bank_card: "银行卡", id_card: "身份证", money_range: "预算", date_range: "日期范围", place: "地点",
      amount: "金额", budget: "预算", booking_no: "预订单号", card: "银行卡", checkin_date: "入住日期", city: "城市", class_date: "上课日期",
      feature: "设施", fund: "基金", new_phone: "新手机号", payee_card: "收款卡号", room_type: "房型", size: "尺码", quantity: "数量",
    },
    reason: {
      intent_policy: "该问题需人工处理", complaint: "客户投诉", negative_sentiment: "客户情绪不满", low_confidence: "机器人连续无法回答",
      vip: "VIP 客户", action_failed: "业务查询失败", transfer: "转接",
    },
    profile: {
      vip: "VIP 客户", spend: "年消费 ¥{v}", vipReason: { vip_level: "按会员等级", yearly_spend: "按年消费", business_spend: "按业务系统订单" },
      identities: "身份", verified: "已验证", tags: "标签", addTag: "标签", vipLevel: "VIP 等级", attributes: "属性", edit: "编辑",
      none: "暂无", records: "订单与购买记录", status: { not_configured: "未接入业务系统", unavailable: "业务系统暂时不可用" },
      ticketStatus: { not_configured: "未接入工单系统", unavailable: "工单系统暂时不可用" },
      conversations: "历史会话", tickets: "工单", csat: "满意度", average: "平均 {v} 分", attrKey: "属性名", attrValue: "属性值",
      addAttr: "添加属性", saved: "客户资料已保存",
      export: "导出个人信息", erase: "删除个人信息", erased: "个人信息已于 {t} 删除", eraseTitle: "删除该客户的个人信息",
      eraseHint: "将删除姓名、属性、标签、全部渠道身份和对话状态，匿名化其全部会话、满意度评价和工单内容；仅保留统计用的记录与审计日志。此操作不可撤销。请先结束进行中的会话。",
      eraseAsk: "申请删除个人信息", eraseAskConfirm: "提交删除申请", eraseRequested: "已提交删除申请，待另一位管理员或合规专员审批",
      eraseFourEyes: "删除需双人审批：提交后由另一位管理员或合规专员批准才会执行。",
      erasePending: "{who} 于 {t} 申请删除该客户的个人信息", eraseWhy: "原因：{r}", awaiting: "等待另一位管理员或合规专员审批",
      approve: "批准删除", reject: "驳回", approveTitle: "批准删除该客户的个人信息", rejectTitle: "驳回删除申请",
      decisionNote: "审批意见（可选），将记入审计日志", rejected: "已驳回删除申请",
      eraseReason: "删除原因（如申请单号），将记入审计日志", eraseConfirm: "确认删除", eraseDone: "已删除：{c} 个会话、{m} 条消息、{i} 个渠道身份、{k} 张工单",
    },
    identity: {
      web_visitor: "网页访客", app_user: "App 用户", phone: "手机号", wechat_openid: "微信 OpenID", wechat_unionid: "微信 UnionID",
      wecom_external: "企业微信客户", douyin_openid: "抖音用户",
    },
    record: { order: "订单", purchase: "购买", course: "课程", account: "账户" },
    suggest: {
      title: "推荐回复", draft: "AI 草拟回复", none: "暂无推荐", use: "使用", noDraft: "未配置大模型，暂无 AI 草稿",
      failed: "获取推荐失败", kind: { knowledge: "知识库", passage: "资料", draft: "AI 草稿" },
    },
    transfer: {
      button: "转接", title: "转接会话", toAgent: "转给客服", toGroup: "转到技能组", pickAgent: "选择客服", pickGroup: "选择技能组",
      senior: "资深", note: "转接备注（仅同事可见）", submit: "确认转接", done: "已转接",
    },
    alerts: { none: "暂无提醒", clear: "清空", title: "等待提醒" },
    canned: {
      title: "快捷回复", hint: "在回复框输入 / 加快捷词即可插入", create: "新建快捷回复", shortcut: "快捷词", titleCol: "标题", text: "内容",
      group: "技能组", delete: "删除", confirmDelete: "确定删除快捷回复 /{s} 吗？", picker: "快捷回复",
    },
    board: {
      title: "路由看板", targets: "首响目标 {n} 秒 · VIP {v} 秒", queued: "排队", online: "在线客服", longest: "最长等待 {s}", load: "接待量",
      nodes: "集群节点", self: "当前节点", routing: "负责分配", staff: "{n} 人在线", down: "失联", beat: "心跳 {s} 秒前",
    },
    panel: {
      typing: "客户正在输入…", routedToMe: "已分配给您，请尽快接入", routedTo: "已分配给 {name}", target: "首响目标 {s} 秒",
      overdue: "已超首响目标", newRouted: "新会话已分配给您", group: "技能组", csat: "满意度 {s} 分",
    },
    errors: {
      shortcut_taken: "快捷词已存在", invalid_shortcut: "快捷词只能包含字母、数字、汉字、_ 或 -", not_human_owned: "只有人工接待或排队中的会话可以转接",
      same_agent: "会话已在该客服处", unknown_group: "技能组不存在", unknown_agent: "客服不存在", not_an_agent: "该用户不能接待客户",
      invalid_vip_level: "VIP 等级应在 0-9 之间", tag_too_long: "标签过长", too_many_tags: "标签过多", invalid_attribute: "属性名不合法",
      note_too_long: "备注过长", workspace_unavailable: "工作台服务未配置", bad_transfer_target: "请选择客服或技能组",
      reason_required: "请填写删除原因", reason_too_long: "原因不超过 200 字", conversation_open: "该客户还有进行中的会话，请先结束会话",
      customer_erased: "该客户的个人信息已删除，不能再修改",
      erasure_pending: "已有待审批的删除申请", four_eyes: "不能审批自己提交的申请", erasure_decided: "该申请已处理",
    },
  },
};

const en: typeof zh = {
  handoff: {
    nav: { board: "Routing", canned: "Canned replies", erasures: "Erasure requests" },
    erasures: {
      title: "Erasure requests waiting for a decision", hint: "A customer asked for their personal data to be erased: another admin or a compliance officer approves or rejects it in the profile", reload: "Refresh",
      none: "No erasure request is waiting", asked: "Asked", customer: "Customer", visitor: "Visitor #{id}", by: "Asked by", reason: "Reason", open: "Review",
    },
    summary: {
      title: "Hand-off summary", complaint: "Complaint", negative: "Upset", llm: "AI summary", extractive: "Extracted", writing: "writing the AI summary…",
      intent: "Wants: ", facts: "Known: ", questions: "Last questions:",
    },
    entity: {
      order_no: "Order no.", tracking_no: "Tracking no.", phone: "Phone", product: "Product", date: "Date", money: "Amount", course: "Course",
      purchase_date: "Purchase date", bank_card: "Bank card", id_card: "ID card", money_range: "Budget", date_range: "Dates", place: "Place",
      amount: "Amount", budget: "Budget", booking_no: "Booking no.", card: "Bank card", checkin_date: "Check-in date", city: "City",
      class_date: "Class date", feature: "Feature", fund: "Fund", new_phone: "New phone", payee_card: "Payee card", room_type: "Room type",
      size: "Size", quantity: "Quantity",
    },
    reason: {
      intent_policy: "Needs a human", complaint: "Complaint", negative_sentiment: "Upset customer", low_confidence: "Bot unsure twice",
      vip: "VIP customer", action_failed: "Lookup failed", transfer: "Transfer",
    },
    profile: {
      vip: "VIP", spend: "Yearly spend ¥{v}", vipReason: { vip_level: "by VIP level", yearly_spend: "by yearly spend", business_spend: "by orders" },
      identities: "Identities", verified: "Verified", tags: "Tags", addTag: "Tag", vipLevel: "VIP level", attributes: "Attributes", edit: "Edit",
      none: "None", records: "Orders and purchases", status: { not_configured: "No business system connected", unavailable: "Business system unavailable" },
      ticketStatus: { not_configured: "No ticket desk connected", unavailable: "Ticket desk unavailable" },
      conversations: "Past conversations", tickets: "Tickets", csat: "Satisfaction", average: "average {v}", attrKey: "Name", attrValue: "Value",
      addAttr: "Add attribute", saved: "Profile saved",
      export: "Export personal data", erase: "Erase personal data", erased: "Personal data erased on {t}", eraseTitle: "Erase this customer's personal data",
      eraseHint: "Removes the name, attributes, tags, every channel identity and the dialogue state, and anonymizes all their conversations, ratings and tickets; only records for statistics and the audit log remain. This cannot be undone. Close any open conversation first.",
      eraseAsk: "Request erasure", eraseAskConfirm: "Submit the request", eraseRequested: "Erasure requested: another admin or a compliance officer must approve it",
      eraseFourEyes: "Erasure takes two people: it runs once another admin or a compliance officer approves it.",
      erasePending: "{who} asked on {t} to erase this customer's personal data", eraseWhy: "Reason: {r}", awaiting: "Waiting for another admin or a compliance officer",
      approve: "Approve erasure", reject: "Reject", approveTitle: "Approve erasing this customer's personal data", rejectTitle: "Reject the erasure request",
      decisionNote: "Note (optional), recorded in the audit log", rejected: "Erasure request rejected",
      eraseReason: "Reason (e.g. the request's reference), recorded in the audit log", eraseConfirm: "Erase", eraseDone: "Erased: {c} conversations, {m} messages, {i} channel identities, {k} tickets",
    },
    identity: {
      web_visitor: "Web visitor", app_user: "App user", phone: "Phone", wechat_openid: "WeChat OpenID", wechat_unionid: "WeChat UnionID",
      wecom_external: "WeCom customer", douyin_openid: "Douyin user",
    },
    record: { order: "Order", purchase: "Purchase", course: "Course", account: "Account" },
    suggest: {
      title: "Suggested replies", draft: "AI draft", none: "No suggestions", use: "Use", noDraft: "No LLM configured: no AI draft",
      failed: "Could not load suggestions", kind: { knowledge: "Knowledge", passage: "Passage", draft: "AI draft" },
    },
    transfer: {
      button: "Transfer", title: "Transfer conversation", toAgent: "To an agent", toGroup: "To a group", pickAgent: "Pick an agent", pickGroup: "Pick a group",
      senior: "senior", note: "Note for the next agent (internal)", submit: "Transfer", done: "Transferred",
    },
    alerts: { none: "No alerts", clear: "Clear", title: "Waiting alert" },
    canned: {
      title: "Canned replies", hint: "Type / and the shortcut in the reply box", create: "New canned reply", shortcut: "Shortcut", titleCol: "Title",
      text: "Text", group: "Group", delete: "Delete", confirmDelete: "Delete the canned reply /{s}?", picker: "Canned replies",
    },
    board: {
      title: "Routing board", targets: "first reply {n} s · VIP {v} s", queued: "queued", online: "online", longest: "longest wait {s}", load: "Load",
      nodes: "Nodes", self: "this node", routing: "routes the queue", staff: "{n} staff connected", down: "not heard from", beat: "heartbeat {s} s ago",
    },
    panel: {
      typing: "The customer is typing…", routedToMe: "Routed to you — take it", routedTo: "Routed to {name}", target: "first-reply target {s} s",
      overdue: "past the first-reply target", newRouted: "A conversation was routed to you", group: "Group", csat: "rated {s}",
    },
    errors: {
      shortcut_taken: "The shortcut is taken", invalid_shortcut: "Shortcuts use letters, digits, _ or -", not_human_owned: "Only conversations with an agent or in the queue can be transferred",
      same_agent: "Already with this agent", unknown_group: "No such group", unknown_agent: "No such agent", not_an_agent: "This user cannot serve customers",
      invalid_vip_level: "VIP level is 0-9", tag_too_long: "Tag too long", too_many_tags: "Too many tags", invalid_attribute: "Invalid attribute name",
      note_too_long: "Note too long", workspace_unavailable: "The workspace is not configured", bad_transfer_target: "Pick an agent or a group",
      reason_required: "Give a reason", reason_too_long: "At most 200 characters", conversation_open: "The customer has an open conversation: close it first",
      customer_erased: "This customer's personal data was erased and cannot be edited",
      erasure_pending: "An erasure request is already waiting", four_eyes: "You cannot decide your own request", erasure_decided: "The request was already decided",
    },
  },
};

export default { zh, en };
