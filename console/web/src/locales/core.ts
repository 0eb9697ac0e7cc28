// Core texts: app shell, login, conversations, users, audit, errors.
// Each feature adds its own module next to this one (see ../i18n.ts).
const zh = {
  app: { title: "Kefu 智能客服", console: "客服控制台" },
  nav: { conversations: "会话工作台", users: "用户管理", audit: "审计日志", logout: "退出登录", language: "English", password: "修改密码" },
  password: {
    title: "修改密码", current: "当前密码", fresh: "新密码", repeat: "再次输入新密码", hint: "至少 8 位；修改后其他设备上的登录将退出。",
    mismatch: "两次输入的新密码不一致", changed: "密码已修改",
  },
  login: { title: "登录客服控制台", username: "用户名", password: "密码", submit: "登录", demoHint: "演示账号见 make run 的输出" },
  status: { online: "在线", busy: "忙碌", away: "离开", offline: "离线" },
  role: { admin: "管理员", supervisor: "主管", agent: "客服", compliance: "合规专员", editor: "知识库编辑" },
  conv: {
    queued: "排队中", mine: "我的会话", bot: "机器人接待", all: "全部会话", closed: "已结束", assigned: "人工接待",
    empty: "暂无会话", select: "请从左侧选择一个会话", waiting: "已等待 {s}", take: "接入会话", close: "结束会话",
    handoff: "转人工", note: "内部备注", send: "发送", placeholder: "输入回复，Enter 发送，Shift+Enter 换行",
    notePlaceholder: "内部备注仅同事可见", readOnly: "只读：您的角色不能回复会话", takeFirst: "接入后即可回复",
    history: "显示客户全部历史", decision: "显示机器人决策", customer: "客户", channel: "渠道", assignee: "接待客服",
    reason: "转人工原因", closedConfirm: "确定结束该会话吗？客户的下一条消息将由机器人接待。", lastMessage: "最近消息",
    intent: "意图", confidence: "置信度", policy: "策略", source: "依据", you: "我",
    verify: {
      button: "校验完整性", export: "导出记录", valid: "完整：消息自存储以来未被改动", anonymized: "该会话已按保留策略匿名化，内容已被清除",
      counts: "{messages} 条消息，其中 {sealed} 条带链式哈希", head: "链尾哈希（可记入案卷）",
      broken: {
        edited: "校验失败：消息 #{id} 的内容在存储后被改动", missing: "校验失败：消息 #{id} 之前有消息被删除", missingTail: "校验失败：会话末尾的消息被删除",
        reordered: "校验失败：消息 #{id} 顺序异常", unsealed: "校验失败：消息 #{id} 无哈希，疑为事后插入",
      },
    },
  },
  reason: { customer_request: "客户要求人工", agent_request: "客服发起", agent_takeover: "客服主动接入" },
  sender: { customer: "客户", bot: "机器人", agent: "客服", system: "系统" },
  channel: { web: "网页", app: "App", wechat_oa: "公众号", wechat_mp: "小程序", wecom_kf: "微信客服", douyin: "抖音", douyin_comment: "抖音评论" },
  users: {
    title: "用户管理", create: "新建用户", edit: "编辑用户", username: "用户名", displayName: "显示名称", role: "角色",
    password: "密码", newPassword: "新密码（留空不修改）", skills: "技能组", senior: "资深客服", maxConcurrent: "最大并发",
    disabled: "已停用", status: "状态", lastLogin: "最近登录", actions: "操作", save: "保存", cancel: "取消", saved: "已保存",
  },
  audit: { title: "审计日志", time: "时间", actor: "操作人", action: "操作", target: "对象", detail: "详情", ip: "IP", filter: "按操作筛选", more: "加载更多" },
  common: { refresh: "刷新", loading: "加载中…", confirm: "确定", cancel: "取消", connected: "实时连接正常", reconnecting: "实时连接断开，正在重连…" },
  errors: {
    bad_credentials: "用户名或密码错误", too_many_attempts: "尝试次数过多，请稍后再试", not_logged_in: "请先登录",
    session_expired: "登录已过期，请重新登录", forbidden: "没有权限执行此操作", csrf_failed: "页面已过期，请刷新后重试",
    already_assigned: "该会话已被其他客服接入", not_assignee: "该会话不在您的接待中", conversation_closed: "会话已结束",
    not_with_bot: "只有机器人接待中的会话可以转人工", empty_message: "消息不能为空", message_too_long: "消息过长",
    username_taken: "用户名已存在", weak_password: "密码至少 8 位", invalid_username: "用户名只能包含字母、数字、点、下划线和短横线",
    cannot_demote_self: "不能停用自己或取消自己的管理员角色", network: "网络错误，请检查连接", internal_error: "服务器内部错误",
    wrong_password: "当前密码错误", same_password: "新密码不能与当前密码相同", password_too_long: "密码不能超过 72 字节",
    missing_field: "请填写完整",
  },
};

const en: typeof zh = {
  app: { title: "Kefu Customer Service", console: "Agent console" },
  nav: { conversations: "Workspace", users: "Users", audit: "Audit log", logout: "Log out", language: "中文", password: "Change password" },
  password: {
    title: "Change password", current: "Current password", fresh: "New password", repeat: "New password again",
    hint: "At least 8 characters; your other sessions will be logged out.", mismatch: "The new passwords do not match",
    changed: "Password changed",
  },
  login: { title: "Log in to the console", username: "Username", password: "Password", submit: "Log in", demoHint: "Demo logins are printed by make run" },
  status: { online: "Online", busy: "Busy", away: "Away", offline: "Offline" },
  role: { admin: "Admin", supervisor: "Supervisor", agent: "Agent", compliance: "Compliance", editor: "Editor" },
  conv: {
    queued: "Queue", mine: "Mine", bot: "With bot", all: "All", closed: "Closed", assigned: "With agent",
    empty: "No conversations", select: "Pick a conversation on the left", waiting: "waiting {s}", take: "Take",
    close: "Close", handoff: "Hand off", note: "Internal note", send: "Send",
    placeholder: "Type a reply — Enter sends, Shift+Enter for a new line", notePlaceholder: "Notes are visible to colleagues only",
    readOnly: "Read-only: your role cannot reply", takeFirst: "Take the conversation to reply",
    history: "Whole customer history", decision: "Show bot decisions", customer: "Customer", channel: "Channel",
    assignee: "Agent", reason: "Hand-off reason", closedConfirm: "Close this conversation? The customer's next message goes to the bot.",
    lastMessage: "Last message", intent: "Intent", confidence: "Confidence", policy: "Policy", source: "Source", you: "me",
    verify: {
      button: "Verify integrity", export: "Export record", valid: "Intact: no message changed since it was stored",
      anonymized: "Anonymized by the retention policy; its texts were cleared", counts: "{messages} messages, {sealed} with a chain hash",
      head: "Chain head (record it in the case file)",
      broken: {
        edited: "Failed: message #{id} was changed after it was stored", missing: "Failed: a message before #{id} was deleted",
        missingTail: "Failed: the last messages of the conversation were deleted",
        reordered: "Failed: message #{id} is out of order", unsealed: "Failed: message #{id} has no hash and looks inserted later",
      },
    },
  },
  reason: { customer_request: "customer asked for a human", agent_request: "started by an agent", agent_takeover: "agent stepped in" },
  sender: { customer: "Customer", bot: "Bot", agent: "Agent", system: "System" },
  channel: { web: "Web", app: "App", wechat_oa: "WeChat OA", wechat_mp: "Mini program", wecom_kf: "WeCom", douyin: "Douyin", douyin_comment: "Douyin comment" },
  users: {
    title: "Users", create: "New user", edit: "Edit user", username: "Username", displayName: "Display name", role: "Role",
    password: "Password", newPassword: "New password (empty keeps it)", skills: "Skills", senior: "Senior",
    maxConcurrent: "Max chats", disabled: "Disabled", status: "Status", lastLogin: "Last login", actions: "Actions",
    save: "Save", cancel: "Cancel", saved: "Saved",
  },
  audit: { title: "Audit log", time: "Time", actor: "Actor", action: "Action", target: "Target", detail: "Detail", ip: "IP", filter: "Filter by action", more: "Load more" },
  common: { refresh: "Refresh", loading: "Loading…", confirm: "OK", cancel: "Cancel", connected: "Live", reconnecting: "Disconnected, reconnecting…" },
  errors: {
    bad_credentials: "Wrong username or password", too_many_attempts: "Too many failed attempts, try again later",
    not_logged_in: "Please log in", session_expired: "Your session expired, please log in again",
    forbidden: "You may not do this", csrf_failed: "The page is out of date, reload and retry",
    already_assigned: "Another agent took this conversation", not_assignee: "This conversation is not yours",
    conversation_closed: "The conversation is closed", not_with_bot: "Only conversations with the bot can be handed off",
    empty_message: "The message is empty", message_too_long: "The message is too long", username_taken: "The username is taken",
    weak_password: "Passwords need at least 8 characters", invalid_username: "Use letters, digits, '.', '_' and '-' only",
    cannot_demote_self: "You cannot disable yourself or drop your own admin role", network: "Network error",
    internal_error: "Internal server error", wrong_password: "The current password is wrong",
    same_password: "The new password must differ from the current one", password_too_long: "Passwords are at most 72 bytes",
    missing_field: "Please fill in every field",
  },
};

export default { zh, en };
