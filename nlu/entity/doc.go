// Package entity finds the things a customer message talks about — dates and
// times, money and budgets, order and tracking numbers, phone, ID-card and
// bank-card numbers, sizes, quantities, places and catalog terms — in Chinese and
// English, each with its byte span and a normalized value.
//
// Relative expressions (昨天, 下周三, "next Friday", 三天后) and festivals
// (双十一, 国庆节, 春节, 中秋: the occurrence nearest the reference time) are
// resolved against a reference time in China Standard Time. Normalized values:
//
//	date           2026-11-24
//	date_range     2026-11-23/2026-11-29 (ISO 8601 interval)
//	datetime       2026-11-25T18:00
//	datetime_range ../2026-11-25T18:00 (open start: "明天18点前")
//	time           18:30
//	money          CNY 300 (or USD 50)
//	money_range    300-500, 0-5000 ("5k以内"), 1000- ("1000以上"), CNY
//	order_no, tracking_no, phone, id_card, bank_card: the digits (upper-case letters kept)
//	size           35, XL
//	quantity       2 双
//	place          青岛 (for 青岛 and 青岛市; provinces, cities, districts, countries, scenic spots)
//	product, course, ...: the catalog term's canonical name
//
// Extraction never fails: text it cannot read yields no entities.
package entity
