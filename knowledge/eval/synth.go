package eval

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"kefu/knowledge"
)

// Vocabulary for synthetic chunks: the words and sentence shapes of the
// customer-service policies the appliance serves, so postings lists have
// realistic lengths (a few very common bigrams, many rare ones).
var (
	synthTopics = []string{"订单", "退货", "退款", "换货", "发票", "会员积分", "优惠券", "快递", "物流", "运费", "奶粉", "纸尿裤",
		"安全座椅", "婴儿推车", "雨靴", "童鞋", "运动鞋", "理财产品", "提现", "转账", "银行卡", "实名认证", "借款", "还款",
		"课程", "试听课", "课时", "证书", "酒店房间", "押金", "早餐", "停车位", "发货", "售后", "价格保护", "礼品包装"}
	synthPlaces = []string{"我的订单", "账户安全", "会员中心", "我的课程", "我的持仓", "申请售后", "我的银行卡", "设置", "帮助中心"}
	synthExcept = []string{"秒杀商品", "定制商品", "特价房", "已拆封的食品", "直播专享价", "港澳台地区", "节假日", "偏远地区"}
	synthShapes = []string{
		"%[1]s的相关申请在%[2]d个工作日内处理完成。",
		"如需办理%[1]s，请在“%[3]s”页面提交申请。",
		"%[1]s的费用为%[2]d元，%[4]s除外。",
		"签收后%[2]d天内可以申请%[1]s，超过期限不再受理。",
		"%[1]s需要本人操作，不支持他人代办。",
		"每位用户每月最多办理%[2]d次%[1]s。",
		"%[4]s不参与%[1]s活动，具体以页面说明为准。",
		"%[1]s完成后会发送短信通知，请留意手机信息。",
		"型号 %[5]s 的%[1]s说明以商品详情页为准。",
		"遇到%[1]s问题可以联系人工客服，工作时间为每天%[2]d点至21点。",
	}
	synthQuestions = []string{"%s怎么办理", "%s多久能好", "%s要收费吗", "请问%s在哪里申请", "%s有什么限制", "我想问下%s的规则", "%s几天到账", "%s可以找人代办吗"}
)

// SyntheticRecords returns n published chunk records of realistic Chinese
// policy text (about 150-300 characters each), with BM25 sparse vectors
// and, when dims > 0, unit-length random dense vectors. The same seed gives
// the same records.
func SyntheticRecords(n, dims int, seed uint64, start int) []knowledge.Record {
	out := make([]knowledge.Record, n)
	for i := range out {
		id := start + i
		r := rand.New(rand.NewPCG(seed, uint64(id)))
		topic := synthTopics[r.IntN(len(synthTopics))]
		var b strings.Builder
		for s := 4 + r.IntN(5); s > 0; s-- {
			t := topic
			if r.IntN(3) == 0 {
				t = synthTopics[r.IntN(len(synthTopics))]
			}
			fmt.Fprintf(&b, synthShapes[r.IntN(len(synthShapes))], t, 1+r.IntN(30), synthPlaces[r.IntN(len(synthPlaces))],
				synthExcept[r.IntN(len(synthExcept))], fmt.Sprintf("KF-%05d", r.IntN(50000)))
		}
		rec := knowledge.Record{ID: fmt.Sprintf("syn-%d#0", id), DocumentID: fmt.Sprintf("syn-%d", id), Kind: knowledge.KindDocument,
			Version: 1, Title: topic + "说明", HeadingPath: []string{topic + "说明", "规则"}, Text: b.String(), Published: true}
		if r.IntN(4) == 0 {
			rec.Channels = []string{"wechat"}
		}
		rec.Sparse = knowledge.DocumentVector(knowledge.IndexText(&rec))
		if dims > 0 {
			rec.Dense = randomUnit(r, dims)
		}
		out[i] = rec
	}
	return out
}

// SyntheticQueries returns n search requests in the synthetic vocabulary.
func SyntheticQueries(n, dims int, seed uint64) []knowledge.SearchRequest {
	r := rand.New(rand.NewPCG(seed, math.MaxUint32))
	out := make([]knowledge.SearchRequest, n)
	for i := range out {
		text := fmt.Sprintf(synthQuestions[r.IntN(len(synthQuestions))], synthTopics[r.IntN(len(synthTopics))])
		if r.IntN(3) == 0 {
			text += " " + synthExcept[r.IntN(len(synthExcept))]
		}
		q := knowledge.SearchRequest{Sparse: knowledge.QueryVector(text, nil, 0), Limit: 15}
		if r.IntN(2) == 0 {
			q.Filter.Channel = "app"
		}
		if dims > 0 {
			q.Dense = randomUnit(r, dims)
		}
		out[i] = q
	}
	return out
}

func randomUnit(r *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	var n float64
	for i := range v {
		x := r.NormFloat64()
		v[i] = float32(x)
		n += x * x
	}
	inv := float32(1 / math.Sqrt(n))
	for i := range v {
		v[i] *= inv
	}
	return v
}
