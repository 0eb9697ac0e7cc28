package entity

import (
	"regexp"
	"sort"
	"strings"
)

// citiesEn are the English (pinyin) names of the cities customers writing
// in English name most: the municipalities, the provincial capitals and the
// large cities of travel and trade. The value is the name the Chinese
// lexicon gives the same place (杭州 for 杭州市), so both read alike.
var citiesEn = map[string]string{
	"beijing": "北京", "peking": "北京", "shanghai": "上海", "tianjin": "天津", "chongqing": "重庆",
	"guangzhou": "广州", "canton": "广州", "shenzhen": "深圳", "hangzhou": "杭州", "nanjing": "南京",
	"suzhou": "苏州", "wuhan": "武汉", "chengdu": "成都", "xi'an": "西安", "xian": "西安",
	"changsha": "长沙", "zhengzhou": "郑州", "jinan": "济南", "qingdao": "青岛", "dalian": "大连",
	"shenyang": "沈阳", "harbin": "哈尔滨", "changchun": "长春", "xiamen": "厦门", "fuzhou": "福州",
	"kunming": "昆明", "guiyang": "贵阳", "nanning": "南宁", "haikou": "海口", "sanya": "三亚",
	"hefei": "合肥", "nanchang": "南昌", "taiyuan": "太原", "shijiazhuang": "石家庄", "hohhot": "呼和浩特",
	"lanzhou": "兰州", "xining": "西宁", "yinchuan": "银川", "urumqi": "乌鲁木齐", "lhasa": "拉萨",
	"ningbo": "宁波", "wuxi": "无锡", "dongguan": "东莞", "foshan": "佛山", "zhuhai": "珠海",
	"guilin": "桂林", "lijiang": "丽江", "hong kong": "香港", "macau": "澳门", "macao": "澳门",
	"taipei": "台北", "yantai": "烟台", "wenzhou": "温州", "shaoxing": "绍兴", "huangshan": "黄山",
}

// reCityEn finds those names as whole words, longest first.
var reCityEn = func() *regexp.Regexp {
	names := make([]string, 0, len(citiesEn))
	for n := range citiesEn {
		names = append(names, regexp.QuoteMeta(n))
	}
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	return regexp.MustCompile(`(?i)\b(` + strings.Join(names, "|") + `)\b`)
}()

// placesEn adds the cities named in English.
func placesEn(text string, dst []found) []found {
	for _, m := range reCityEn.FindAllStringIndex(text, -1) {
		dst = add(dst, text, m[0], m[1], "place", citiesEn[strings.ToLower(text[m[0]:m[1]])], prioBare-1)
	}
	return dst
}
