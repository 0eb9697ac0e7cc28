// Texts of the intent catalog page and of the bot's decision path.
const zh = {
  nlu: {
    nav: "意图目录", title: "意图目录", filter: "按名称、说明或例句筛选", fromConfig: "来自配置（尚未在此编辑）", version: "版本 {v}", savedBy: "{who} 于 {when} 保存",
    counts: "{intents} 个意图 · {examples} 条例句", save: "保存并生效", reload: "重新加载", history: "版本历史", note: "修改说明（可选）",
    saved: "已保存为版本 {v}，已立即生效", dirty: "有未保存的修改", readOnly: "只读：仅管理员可以修改意图目录",
    tabIntents: "意图", tabTerms: "词典", tabYaml: "YAML", tabTry: "试一试", newIntent: "新建意图", deleteIntent: "删除意图",
    deleteConfirm: "确定删除意图 {name} 吗？保存后生效。", name: "名称", family: "所属类别", description: "说明", descriptionEn: "英文说明",
    examples: "例句", examplesZh: "中文例句", examplesEn: "英文例句", addExample: "输入例句后按回车添加", slots: "槽位",
    slotName: "槽位名", entity: "实体类型", required: "必填", focus: "关注角色", ask: "追问", askEn: "英文追问", addSlot: "添加槽位",
    fulfilment: "处理方式", kind: "类型", action: "业务动作", query: "知识库查询", flags: "策略", handoff: "总是转人工",
    verification: "需实名验证", risk: "附风险提示", followUp: "可追问（那…呢?）", after: "仅接在…之后", afterAny: "任何时候都可识别", kinds: { knowledge: "知识库回答", action: "业务动作", handoff: "转人工", flow: "引导流程" },
    termType: "类型", termValue: "名称", aliases: "别名", category: "上级", addTerm: "添加词条", remove: "删除",
    yamlHint: "可直接编辑完整的目录 YAML；“检查”会把它载入上面的编辑器，保存时以此为准。", check: "检查并载入", yamlOk: "YAML 有效：{intents} 个意图",
    trySentence: "输入一句客户可能说的话", tryButton: "识别", intentCount: "例句 {n}", empty: "（无）",
    versionCol: "版本", author: "保存人", time: "时间", noteCol: "说明", view: "查看", noVersions: "还没有保存过的版本",
    errors: { empty: "例句不能为空", duplicate: "该例句已存在", taken: "该例句已属于意图 {name}" },
  },
  decision: {
    policy: "策略", engine: "引擎", latency: "耗时", degraded: "降级", steps: "决策路径", entities: "实体", candidates: "候选",
    dialogue: "对话", filled: "已填", missing: "待问", carried: "沿用", answered: "回答了追问", suspended: "任务暂缓", focus: "关注",
    knowledge: "知识库", action: "业务动作", handoff: "转人工", notes: "备注", none: "未识别", outOfScope: "超出范围", more: "详情", less: "收起",
    sentiment: "情绪",
  },
};

const en: typeof zh = {
  nlu: {
    nav: "Intents", title: "Intent catalog", filter: "Filter by name, description or example", fromConfig: "From configuration (not edited here yet)", version: "Version {v}",
    savedBy: "saved by {who} at {when}", counts: "{intents} intents · {examples} examples", save: "Save and apply", reload: "Reload",
    history: "History", note: "What changed (optional)", saved: "Saved as version {v}; in use now", dirty: "Unsaved changes",
    readOnly: "Read-only: only admins change the catalog", tabIntents: "Intents", tabTerms: "Dictionary", tabYaml: "YAML",
    tabTry: "Try it", newIntent: "New intent", deleteIntent: "Delete intent", deleteConfirm: "Delete the intent {name}? It goes when you save.",
    name: "Name", family: "Family", description: "Description", descriptionEn: "Description (English)", examples: "Examples",
    examplesZh: "Chinese examples", examplesEn: "English examples", addExample: "Type an example and press Enter", slots: "Slots",
    slotName: "Slot", entity: "Entity type", required: "Required", focus: "Focus role", ask: "Question", askEn: "Question (English)",
    addSlot: "Add slot", fulfilment: "Fulfilment", kind: "Kind", action: "Business action", query: "Knowledge query", flags: "Policy",
    handoff: "Always hand off", verification: "Needs real-name verification", risk: "Adds the risk disclosure", followUp: "Follow-ups (what about…?)",
    after: "Only right after", afterAny: "Recognised any time",
    kinds: { knowledge: "Knowledge answer", action: "Business action", handoff: "Hand-off", flow: "Guided flow" },
    termType: "Type", termValue: "Name", aliases: "Aliases", category: "Broader term", addTerm: "Add term", remove: "Remove",
    yamlHint: "Edit the whole catalog as YAML; Check loads it into the editor above, and saving uses it.", check: "Check and load",
    yamlOk: "Valid YAML: {intents} intents", trySentence: "Type something a customer might say", tryButton: "Understand",
    intentCount: "{n} examples", empty: "(none)", versionCol: "Version", author: "Saved by", time: "Time", noteCol: "Note", view: "View",
    noVersions: "No saved versions yet",
    errors: { empty: "The example is empty", duplicate: "The example is already there", taken: "The example belongs to {name}" },
  },
  decision: {
    policy: "Policy", engine: "Engine", latency: "Latency", degraded: "Degraded", steps: "Decision path", entities: "Entities",
    candidates: "Candidates", dialogue: "Dialogue", filled: "Filled", missing: "To ask", carried: "carried", answered: "answered the question",
    suspended: "task waits", focus: "In focus", knowledge: "Knowledge", action: "Action", handoff: "Hand-off", notes: "Notes",
    none: "none", outOfScope: "out of scope", more: "Details", less: "Less", sentiment: "Sentiment",
  },
};

export default { zh, en };
