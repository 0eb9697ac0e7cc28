package demobiz

import "time"

// OrderPattern finds the demo shop's order numbers, E and the order's date
// and serial (E202611240017), written alone; the appliance adds it to the
// extractor's formats when it serves the demo.
const OrderPattern = `\b(E20\d{10})\b`

// The demo enterprise's records. Dates are relative to the moment the
// systems start, so "the order shipped yesterday" stays true.

type order struct {
	No         string   `json:"order_no"`
	UserID     string   `json:"-"`
	Title      string   `json:"title"`
	Category   string   `json:"category"`
	Brand      string   `json:"brand"`
	Tags       []string `json:"tags"`
	Size       string   `json:"size,omitempty"`
	Amount     string   `json:"amount"`
	Status     string   `json:"status"` // paid, shipped, delivered
	StatusText string   `json:"status_text"`
	Carrier    string   `json:"carrier,omitempty"`
	TrackingNo string   `json:"tracking_no,omitempty"`
	ETA        string   `json:"eta,omitempty"`
	Address    string   `json:"address"`
	CreatedAt  string   `json:"created_at"`
}

type product struct {
	Name     string         `json:"name"`
	Category string         `json:"category"`
	Brand    string         `json:"brand"`
	Tags     []string       `json:"tags"`
	Price    string         `json:"price"`
	Summary  string         `json:"summary"`
	Stock    map[string]int `json:"-"` // by size; "" for one-size products
	Related  []string       `json:"-"` // products bought together
}

type member struct {
	UserID         string `json:"user_id"`
	Name           string `json:"name"`
	Level          string `json:"level"`
	Stage          string `json:"stage,omitempty"`
	PregnancyWeeks int    `json:"pregnancy_weeks,omitempty"`
}

type enrollment struct {
	UserID     string `json:"-"`
	CourseID   string `json:"course_id"`
	Name       string `json:"name"`
	Total      int    `json:"lessons_total"`
	Attended   int    `json:"lessons_attended"`
	Fee        int    `json:"fee"` // yuan
	Teacher    string `json:"teacher"`
	Room       string `json:"room"`
	Slot       string `json:"slot"` // weekly time
	NextLesson string `json:"next_lesson"`
	EnrolledAt string `json:"enrolled_at"`
}

type account struct {
	UserID   string `json:"-"`
	Name     string `json:"-"`
	IDNumber string `json:"-"`
	Card     string `json:"card"` // masked: only the last four digits
	Balance  string `json:"balance"`
}

type hotel struct {
	Name      string   `json:"name"`
	City      string   `json:"city"`
	Metro     string   `json:"metro"`
	DistanceM int      `json:"distance_m"`
	RoomType  string   `json:"room_type"`
	Price     int      `json:"price"`
	Breakfast bool     `json:"breakfast"`
	Features  []string `json:"features"`
}

type data struct {
	orders      []order
	products    []product
	members     []member
	enrollments []enrollment
	accounts    []account
	hotels      []hotel
}

func day(t time.Time) string   { return t.Format("2006-01-02") }
func stamp(t time.Time) string { return t.Format(time.RFC3339) }
func weekday(t time.Time) string {
	return [...]string{"日", "一", "二", "三", "四", "五", "六"}[t.Weekday()]
}

func nextWeekday(now time.Time, wd time.Weekday) time.Time {
	d := (int(wd) - int(now.Weekday()) + 7) % 7
	if d == 0 {
		d = 7
	}
	return now.AddDate(0, 0, d)
}

func seed(now time.Time) *data {
	next := nextWeekday(now, time.Wednesday)
	return &data{
		orders: []order{
			{No: "E" + now.AddDate(0, 0, -1).Format("20060102") + "0017", UserID: "demo-1001", Title: "轻跑运动鞋 42码", Category: "运动鞋",
				Brand: "迅风", Tags: []string{"鞋子", "运动"}, Size: "42", Amount: "¥299.00", Status: "shipped", StatusText: "已发货",
				Carrier: "顺丰", TrackingNo: "SF1402356789012", ETA: "预计明天18点前送达", Address: "上海市浦东新区张江路88号",
				CreatedAt: stamp(now.AddDate(0, 0, -1))},
			{No: "E" + now.AddDate(0, 0, -16).Format("20060102") + "0032", UserID: "demo-1001", Title: "水润保湿面霜 50g", Category: "面霜",
				Brand: "雪肌", Tags: []string{"护肤", "保湿"}, Amount: "¥129.00", Status: "delivered", StatusText: "已签收",
				Carrier: "中通", TrackingNo: "ZT7800123456789", Address: "上海市浦东新区张江路88号", CreatedAt: stamp(now.AddDate(0, 0, -16))},
			{No: "E" + now.AddDate(0, -2, 0).Format("20060102") + "0005", UserID: "demo-2001", Title: "贝诺孕妇配方奶粉 800g", Category: "孕妇奶粉",
				Brand: "贝诺", Tags: []string{"孕产", "奶粉"}, Amount: "¥268.00", Status: "delivered", StatusText: "已签收",
				Carrier: "京东物流", TrackingNo: "JD0098765432100", Address: "杭州市西湖区文三路100号", CreatedAt: stamp(now.AddDate(0, -2, 0))},
			{No: "E" + now.AddDate(-1, 0, -10).Format("20060102") + "0021", UserID: "demo-2002", Title: "安肤宝婴儿湿疹膏 30g", Category: "婴儿护肤",
				Brand: "安肤宝", Tags: []string{"湿疹", "婴儿"}, Amount: "¥89.00", Status: "delivered", StatusText: "已签收",
				Carrier: "圆通", TrackingNo: "YT5566778899001", Address: "南京市鼓楼区中山路1号", CreatedAt: stamp(now.AddDate(-1, 0, -10))},
		},
		products: []product{
			{Name: "儿童雨靴", Category: "雨靴", Brand: "小水滴", Tags: []string{"鞋子", "儿童"}, Price: "¥79.00", Summary: "防滑软底，24-35码",
				Stock: map[string]int{"30": 12, "32": 6, "34": 3, "35": 2}, Related: []string{"儿童雨衣"}},
			{Name: "儿童雨衣", Category: "雨衣", Brand: "小水滴", Tags: []string{"儿童"}, Price: "¥89.00", Summary: "带书包位，反光条设计"},
			{Name: "轻跑运动鞋", Category: "运动鞋", Brand: "迅风", Tags: []string{"鞋子", "运动"}, Price: "¥299.00", Summary: "轻量缓震",
				Stock: map[string]int{"40": 5, "41": 0, "42": 8, "43": 4}, Related: []string{"速干运动袜"}},
			{Name: "速干运动袜", Category: "袜子", Brand: "迅风", Tags: []string{"运动"}, Price: "¥39.00", Summary: "三双装，透气速干", Stock: map[string]int{"": 40}},
			{Name: "水润保湿面霜", Category: "面霜", Brand: "雪肌", Tags: []string{"护肤"}, Price: "¥129.00", Summary: "50g，适合干性肌肤",
				Stock: map[string]int{"": 20}, Related: []string{"温和洁面乳"}},
			{Name: "温和洁面乳", Category: "洁面", Brand: "雪肌", Tags: []string{"护肤", "敏感肌"}, Price: "¥69.00", Summary: "氨基酸配方，敏感肌可用", Stock: map[string]int{"": 30}},
			{Name: "贝诺孕妇配方奶粉", Category: "孕妇奶粉", Brand: "贝诺", Tags: []string{"孕产"}, Price: "¥268.00", Summary: "800g，含叶酸和DHA", Stock: map[string]int{"": 50}},
			{Name: "贝诺孕晚期钙片", Category: "钙片", Brand: "贝诺", Tags: []string{"孕产", "孕晚期", "补钙"}, Price: "¥158.00",
				Summary: "碳酸钙+维生素D3，每日2片，适合孕28周后补钙", Stock: map[string]int{"": 25}},
			{Name: "贝诺孕早期叶酸片", Category: "叶酸", Brand: "贝诺", Tags: []string{"孕产", "孕早期"}, Price: "¥98.00", Summary: "孕前3个月至孕12周", Stock: map[string]int{"": 25}},
			{Name: "安肤宝婴儿湿疹膏", Category: "婴儿护肤", Brand: "安肤宝", Tags: []string{"湿疹", "婴儿"}, Price: "¥89.00", Summary: "30g，无激素配方", Stock: map[string]int{"": 15}},
		},
		members: []member{
			{UserID: "demo-1001", Name: "张三", Level: "金卡会员"},
			{UserID: "demo-2001", Name: "李女士", Level: "银卡会员", Stage: "孕晚期", PregnancyWeeks: 28},
			{UserID: "demo-2002", Name: "王先生", Level: "普通会员", Stage: "育儿"},
		},
		enrollments: []enrollment{
			{UserID: "demo-1001", CourseID: "C-ENG-01", Name: "少儿英语", Total: 10, Attended: 1, Fee: 3000, Teacher: "Amy 老师",
				Room: "徐汇校区 302 教室", Slot: "每周三 19:00-20:00",
				NextLesson: next.Format("1月2日") + "（周" + weekday(next) + "）19:00-20:00", EnrolledAt: day(now.AddDate(0, 0, -10))},
		},
		accounts: []account{
			{UserID: "demo-1001", Name: "张三", IDNumber: "11010519491231002X", Card: "尾号 0128", Balance: "12,580.36"},
		},
		hotels: []hotel{
			{Name: "悦途酒店（人民广场店）", City: "上海", Metro: "地铁2号线人民广场站", DistanceM: 50, RoomType: "双床房", Price: 380, Breakfast: true, Features: []string{"靠近地铁站", "含早餐"}},
			{Name: "云栖精选酒店（南京西路店）", City: "上海", Metro: "地铁2号线南京西路站", DistanceM: 200, RoomType: "双床房", Price: 460, Breakfast: false, Features: []string{"靠近地铁站"}},
			{Name: "城市之星酒店（静安寺店）", City: "上海", Metro: "地铁7号线静安寺站", DistanceM: 350, RoomType: "双床房", Price: 620, Breakfast: true, Features: []string{"靠近地铁站", "含早餐"}},
			{Name: "海湾假日酒店", City: "上海", Metro: "", DistanceM: 3000, RoomType: "双床房", Price: 320, Breakfast: true, Features: []string{"海景", "免费停车", "含早餐"}},
			{Name: "悦途酒店（人民广场店）", City: "上海", Metro: "地铁2号线人民广场站", DistanceM: 50, RoomType: "大床房", Price: 420, Breakfast: true, Features: []string{"靠近地铁站", "含早餐"}},
			{Name: "西湖畔精选酒店（龙翔桥店）", City: "杭州", Metro: "地铁1号线龙翔桥站", DistanceM: 300, RoomType: "双床房", Price: 450, Breakfast: true, Features: []string{"靠近地铁站", "含早餐"}},
			{Name: "钱塘江景酒店", City: "杭州", Metro: "", DistanceM: 2500, RoomType: "大床房", Price: 520, Breakfast: false, Features: []string{"免费停车"}},
			{Name: "栖宿青年酒店", City: "上海", Metro: "地铁1号线黄陂南路站", DistanceM: 400, RoomType: "双床房", Price: 260, Breakfast: false, Features: []string{"靠近地铁站"}},
		},
	}
}
