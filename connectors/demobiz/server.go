package demobiz

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the demo systems keep Beijing time on any host
	"unicode/utf8"
)

// beijing is the demo systems' time zone: their order numbers, dates and the
// bank's 15:00 cut-off are in Beijing time, whatever the host's zone.
var beijing = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// Server serves the demo systems on one loopback port, each under its own
// path prefix and bearer token: /shop, /edu, /bank, /hotels.
type Server struct {
	// Tokens are the bearer tokens per system (shop, edu, bank, hotels),
	// generated at start; the business actions read them as secrets.
	Tokens map[string]string

	mu       sync.Mutex
	data     *data
	bookings int
	ln       net.Listener
	srv      *http.Server
}

// Start starts the demo systems on 127.0.0.1 at a free port.
func Start(now time.Time) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := New(now)
	s.ln = ln
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// New returns the demo systems without listening (for httptest).
func New(now time.Time) *Server {
	s := &Server{data: seed(now.In(beijing)), Tokens: map[string]string{}}
	for _, sys := range []string{"shop", "edu", "bank", "hotels"} {
		b := make([]byte, 12)
		rand.Read(b)
		s.Tokens[sys] = sys + "-" + hex.EncodeToString(b)
	}
	return s
}

// URL is the base URL of the running systems.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops serving.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// Handler routes the four systems.
func (s *Server) Handler() http.Handler {
	m := http.NewServeMux()
	auth := func(sys string, h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+s.Tokens[sys] {
				writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
				return
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			h(w, r)
		}
	}
	m.HandleFunc("GET /shop/orders", auth("shop", s.listOrders))
	m.HandleFunc("GET /shop/orders/{no}", auth("shop", s.getOrder))
	m.HandleFunc("POST /shop/orders/{no}/urge", auth("shop", s.urgeOrder))
	m.HandleFunc("POST /shop/orders/{no}/address", auth("shop", s.changeAddress))
	m.HandleFunc("GET /shop/purchases", auth("shop", s.purchases))
	m.HandleFunc("GET /shop/members/{user}", auth("shop", s.getMember))
	m.HandleFunc("GET /shop/stock", auth("shop", s.stock))
	m.HandleFunc("GET /shop/products", auth("shop", s.products))
	m.HandleFunc("GET /edu/enrollments", auth("edu", s.enrollments))
	m.HandleFunc("GET /edu/schedule", auth("edu", s.schedule))
	m.HandleFunc("POST /edu/bookings", auth("edu", s.book))
	m.HandleFunc("GET /bank/accounts/{user}", auth("bank", s.getAccount))
	m.HandleFunc("POST /bank/verify", auth("bank", s.verify))
	m.HandleFunc("POST /bank/withdrawals", auth("bank", s.withdraw))
	m.HandleFunc("POST /bank/transfers", auth("bank", s.transfer))
	m.HandleFunc("POST /bank/phone", auth("bank", s.changePhone))
	m.HandleFunc("GET /hotels/search", auth("hotels", s.searchHotels))
	return m
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func notFound(w http.ResponseWriter, what string) {
	writeJSON(w, http.StatusNotFound, map[string]string{"error": what + "_not_found"})
}

func readBody(r *http.Request) map[string]string {
	var m map[string]string
	json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10)).Decode(&m)
	if m == nil {
		m = map[string]string{}
	}
	return m
}

// --- shop ---

func (s *Server) userOrders(user string) []order {
	var out []order
	for _, o := range s.data.orders {
		if o.UserID == user {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b order) int { return strings.Compare(b.CreatedAt, a.CreatedAt) })
	return out
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"orders": orNone(s.userOrders(r.URL.Query().Get("user_id")))})
}

// findOrder finds an order by number, or for a customer by the product
// they describe ("鞋子", "面霜") or, with neither, their latest order. A
// customer never sees another customer's order.
func (s *Server) findOrder(r *http.Request, no string) (order, bool) {
	user := r.URL.Query().Get("user_id")
	for _, o := range s.data.orders {
		if o.No == no && (user == "" || o.UserID == user) {
			return o, true
		}
	}
	return order{}, false
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	o, ok := s.findOrder(r, r.PathValue("no"))
	if !ok {
		notFound(w, "order")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"order": o})
}

func (s *Server) urgeOrder(w http.ResponseWriter, r *http.Request) {
	o, ok := s.findOrder(r, r.PathValue("no"))
	if !ok {
		notFound(w, "order")
		return
	}
	// A delivered order is not hurried: the shop says so and records nothing.
	urged, note := true, "已通知仓库优先处理"
	switch o.Status {
	case "shipped":
		note = "已联系" + o.Carrier + "加急派送"
	case "delivered":
		urged, note = false, "订单已签收"
	}
	writeJSON(w, http.StatusOK, map[string]any{"order": o, "urged": urged, "note": note})
}

func (s *Server) changeAddress(w http.ResponseWriter, r *http.Request) {
	o, ok := s.findOrder(r, r.PathValue("no"))
	if !ok {
		notFound(w, "order")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"order": o, "changeable": o.Status == "paid"})
}

type purchase struct {
	order
	BoughtAt string `json:"bought_at"`
}

func (s *Server) purchases(w http.ResponseWriter, r *http.Request) {
	var out []purchase
	for _, o := range s.userOrders(r.URL.Query().Get("user_id")) {
		out = append(out, purchase{order: o, BoughtAt: o.CreatedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"purchases": orNone(out)})
}

func (s *Server) getMember(w http.ResponseWriter, r *http.Request) {
	for _, m := range s.data.members {
		if m.UserID == r.PathValue("user") {
			writeJSON(w, http.StatusOK, map[string]any{"member": m})
			return
		}
	}
	notFound(w, "member")
}

// matches reports whether a customer's words name the product: its name
// (儿童雨靴, or the shorter 雨靴 inside it), its category or a tag.
func (p product) matches(words string) bool {
	words = strings.TrimSpace(words)
	return words != "" && (strings.Contains(p.Name, words) || strings.Contains(words, p.Name) ||
		p.Category == words || slices.Contains(p.Tags, words))
}

// productNamed finds a product by name, or by a broader word for it
// (雨靴 → 儿童雨靴, 鞋子 → 运动鞋).
func (s *Server) productNamed(name string) (product, bool) {
	for _, p := range s.data.products {
		if p.Name == name {
			return p, true
		}
	}
	for _, p := range s.data.products {
		if strings.Contains(p.Name, name) || p.Category == name || slices.Contains(p.Tags, name) {
			return p, true
		}
	}
	return product{}, false
}

func (s *Server) stock(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, ok := s.productNamed(q.Get("product"))
	if !ok {
		notFound(w, "product")
		return
	}
	size := strings.TrimSuffix(strings.TrimSpace(q.Get("size")), "码")
	n, known := p.Stock[size]
	var sizes []string
	for sz, c := range p.Stock {
		if c > 0 && sz != "" {
			sizes = append(sizes, sz+"码")
		}
	}
	slices.Sort(sizes)
	writeJSON(w, http.StatusOK, map[string]any{"product": p.Name, "size": size, "stock": n, "size_known": known,
		"in_stock": n > 0, "sizes": strings.Join(sizes, "、"), "price": p.Price})
}

func (s *Server) products(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var out []product
	related := map[string]bool{}
	if rt := q.Get("related_to"); rt != "" {
		for _, name := range strings.Split(rt, ",") {
			if p, ok := s.productNamed(strings.TrimSpace(name)); ok {
				for _, rel := range p.Related {
					related[rel] = true
				}
			}
		}
	}
	for _, p := range s.data.products {
		switch {
		case q.Get("brand") != "" && p.Brand != q.Get("brand"):
		case q.Get("tag") != "" && !slices.Contains(p.Tags, q.Get("tag")):
		case q.Get("category") != "" && p.Category != q.Get("category"):
		case q.Get("q") != "" && !p.matches(q.Get("q")):
		case q.Get("related_to") != "" && !related[p.Name]:
		default:
			out = append(out, p)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(out), "products": orNone(out)})
}

// --- school ---

func (s *Server) userCourses(r *http.Request) []enrollment {
	user, course := r.URL.Query().Get("user_id"), r.URL.Query().Get("course")
	var out []enrollment
	for _, e := range s.data.enrollments {
		if e.UserID == user && (course == "" || e.Name == course || e.CourseID == course) {
			out = append(out, e)
		}
	}
	return out
}

func (s *Server) enrollments(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"courses": orNone(s.userCourses(r))})
}

func (s *Server) schedule(w http.ResponseWriter, r *http.Request) {
	cs := s.userCourses(r)
	if len(cs) == 0 {
		notFound(w, "enrollment")
		return
	}
	c := cs[0]
	writeJSON(w, http.StatusOK, map[string]any{"course": c.Name, "next_lesson": c.NextLesson, "slot": c.Slot,
		"room": c.Room, "teacher": c.Teacher, "lesson_no": c.Attended + 1, "lessons_total": c.Total})
}

func (s *Server) book(w http.ResponseWriter, r *http.Request) {
	b := readBody(r)
	if b["course"] == "" || b["date"] == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "course_and_date_required"})
		return
	}
	d, err := time.Parse("2006-01-02", b["date"])
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad_date"})
		return
	}
	s.bookings++
	writeJSON(w, http.StatusOK, map[string]any{"booking": map[string]any{
		"booking_no": "B" + d.Format("0102") + strconv.Itoa(1000+s.bookings), "course": b["course"],
		"date": d.Format("1月2日") + "（周" + weekday(d) + "）", "time": "19:00-20:00", "room": "徐汇校区 302 教室"}})
}

// --- bank ---

func (s *Server) accountOf(user string) (account, bool) {
	for _, a := range s.data.accounts {
		if a.UserID == user {
			return a, true
		}
	}
	return account{}, false
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) {
	a, ok := s.accountOf(r.PathValue("user"))
	if !ok {
		notFound(w, "account")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"account": a})
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	b := readBody(r)
	a, ok := s.accountOf(b["user_id"])
	match := ok && strings.EqualFold(a.IDNumber, b["id_number"]) && a.Name == strings.TrimSpace(b["name"])
	writeJSON(w, http.StatusOK, map[string]any{"verified": match})
}

func (s *Server) withdraw(w http.ResponseWriter, r *http.Request) {
	b := readBody(r)
	a, ok := s.accountOf(b["user_id"])
	if !ok {
		notFound(w, "account")
		return
	}
	arrival := "今天24点前到账"
	if time.Now().In(beijing).Hour() >= 15 {
		arrival = "下一个工作日到账"
	}
	writeJSON(w, http.StatusOK, map[string]any{"withdrawal": map[string]any{"amount": b["amount"], "card": a.Card, "arrival": arrival}})
}

func (s *Server) transfer(w http.ResponseWriter, r *http.Request) {
	b := readBody(r)
	if _, ok := s.accountOf(b["user_id"]); !ok {
		notFound(w, "account")
		return
	}
	card := b["payee_card"]
	if utf8.RuneCountInString(card) > 4 {
		card = card[len(card)-4:]
	}
	writeJSON(w, http.StatusOK, map[string]any{"transfer": map[string]any{"amount": b["amount"], "payee": "尾号 " + card, "arrival": "2小时内到账"}})
}

func (s *Server) changePhone(w http.ResponseWriter, r *http.Request) {
	b := readBody(r)
	if _, ok := s.accountOf(b["user_id"]); !ok {
		notFound(w, "account")
		return
	}
	p := b["new_phone"]
	if len(p) == 11 {
		p = p[:3] + "****" + p[7:]
	}
	writeJSON(w, http.StatusOK, map[string]any{"phone": p, "effective": "短信验证后立即生效"})
}

// --- hotels ---

func (s *Server) searchHotels(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lo, _ := strconv.Atoi(q.Get("min"))
	hi, _ := strconv.Atoi(q.Get("max"))
	var out []hotel
	for _, h := range s.data.hotels {
		switch {
		case q.Get("city") != "" && h.City != q.Get("city"):
		case q.Get("room_type") != "" && h.RoomType != q.Get("room_type"):
		case q.Get("feature") != "" && !slices.Contains(h.Features, q.Get("feature")):
		case lo > 0 && h.Price < lo:
		case hi > 0 && h.Price > hi:
		default:
			out = append(out, h)
		}
	}
	slices.SortStableFunc(out, func(a, b hotel) int { return a.DistanceM - b.DistanceM })
	best := map[string]any{}
	if len(out) > 0 {
		h := out[0]
		breakfast := "不含早餐"
		if h.Breakfast {
			breakfast = "含早餐"
		}
		where := h.Metro
		if strings.HasPrefix(where, "地铁") {
			where = "距" + strings.TrimSuffix(where[:strings.Index(where, "线")+len("线")], "") + strconv.Itoa(h.DistanceM) + "米"
		}
		best = map[string]any{"name": h.Name, "where": where, "room_type": h.RoomType, "price": h.Price, "breakfast": breakfast}
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(out), "hotels": orNone(out), "best": best, "date": q.Get("date")})
}

func orNone[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
