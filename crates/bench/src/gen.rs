//! A realistic synthetic incident log in the contract's NDJSON format.
//!
//! [`Generator`] yields lines forever: first the registry
//! ([`REGISTRY_LINES`] lines: 20 cities, each followed by its 9
//! neighbourhoods, villages and crossings, then 50 actors, all with English
//! and Arabic names and aliases), then a mix of every kind of event across
//! those areas and actors, with Arabic and English notes, about 450 bytes a
//! line. A few percent of the events correct or retract an earlier one,
//! `ended` events end earlier ceasefires, curfews, deployments, ultimatums
//! and evacuations, and valid times arrive out of order (most a few hours
//! late, some weeks late). Areas and actors are named the ways people write
//! them: mostly slugs, sometimes an Arabic alias, a transliteration or a
//! short slug; times come with an offset, as local times, in UTC or as a
//! bare date.
//!
//! Everything follows from the seed: the same seed yields the same lines,
//! and a shorter log is a prefix of a longer one. Every line is accepted by
//! `sijil_core::Context::admit` when the lines before it were learned.

use std::collections::VecDeque;

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Damascus;
use chrono_tz::Tz;
use serde_json::{json, Map, Value};
use sijil_core::Kind;
use uuid::Uuid;

/// The zone of the generated log.
pub const ZONE: Tz = Damascus;

/// Lines of the registry that open every generated log.
pub const REGISTRY_LINES: usize = CITIES.len() * (1 + PER_CITY) + ACTORS.len() + UNITS.len() * UNITS_PER_KIND;

/// Neighbourhoods (and villages, crossings) registered under each city.
const PER_CITY: usize = 9;
const UNITS_PER_KIND: usize = 6;

/// Valid time of position 0: 2023-01-15T00:00+03:00 (Syria keeps +03:00
/// all year since late 2022, so no local time falls in a gap).
const BASE: i64 = 1_673_730_000;
/// Seconds of valid time per line: about 900 events a day, so 1M events
/// cover three years of a war.
const STEP: i64 = 96;
/// How many recent events stay candidates for corrections, retractions and ends.
const POOL: usize = 4096;

/// A small, fast, deterministic random source (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_f42d_4c95_7f2d)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One of a list of texts.
    pub fn phrase(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len() as u64) as usize]
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index in `0..n` favouring the first ones (a rough Zipf law):
    /// a few cities and actors make most of the news.
    pub fn skewed(&mut self, n: usize) -> usize {
        ((n as f64).powf(self.unit()) - 1.0).floor().clamp(0.0, n as f64 - 1.0) as usize
    }
}

/// The valid time that position `pos` of a generated log is "about":
/// events at that position happened then or earlier.
pub fn clock(pos: usize) -> DateTime<Utc> {
    Utc.timestamp_opt(BASE + pos as i64 * STEP, 0).single().unwrap_or_default()
}

/// The valid times a log of `n` lines can hold (events arrive up to 60
/// days late).
pub fn valid_span(n: usize) -> (DateTime<Utc>, DateTime<Utc>) {
    (clock(0) - chrono::Duration::days(61), clock(n) + chrono::Duration::days(1))
}

// ---------------------------------------------------------------- the world

/// slug, English name, Arabic name, a transliteration, latitude, longitude
const CITIES: [(&str, &str, &str, &str, f64, f64); 20] = [
    ("aleppo", "Aleppo", "حلب", "Halab", 36.2021, 37.1343),
    ("damascus", "Damascus", "دمشق", "Dimashq", 33.5138, 36.2765),
    ("homs", "Homs", "حمص", "Hims", 34.7324, 36.7137),
    ("hama", "Hama", "حماة", "Hamah", 35.1318, 36.7578),
    ("idlib", "Idlib", "إدلب", "Idleb", 35.9306, 36.6339),
    ("latakia", "Latakia", "اللاذقية", "Lattakia", 35.5317, 35.7915),
    ("deir-ez-zor", "Deir ez-Zor", "دير الزور", "Deir Ezzor", 35.3359, 40.1408),
    ("raqqa", "Raqqa", "الرقة", "Ar-Raqqah", 35.9594, 39.0079),
    ("daraa", "Daraa", "درعا", "Deraa", 32.6189, 36.1021),
    ("suwayda", "Suwayda", "السويداء", "Sweida", 32.7094, 36.5695),
    ("hasakah", "Hasakah", "الحسكة", "Al-Hasakah", 36.5024, 40.7477),
    ("qamishli", "Qamishli", "القامشلي", "Qamishlo", 37.0522, 41.2271),
    ("tartus", "Tartus", "طرطوس", "Tartous", 34.889, 35.8866),
    ("manbij", "Manbij", "منبج", "Menbij", 36.5281, 37.9549),
    ("afrin", "Afrin", "عفرين", "Efrin", 36.5119, 36.8697),
    ("al-bab", "Al-Bab", "الباب", "al Bab", 36.3705, 37.5157),
    ("douma", "Douma", "دوما", "Duma", 33.5711, 36.4019),
    ("palmyra", "Palmyra", "تدمر", "Tadmur", 34.5601, 38.2684),
    ("quneitra", "Quneitra", "القنيطرة", "Kuneitra", 33.126, 35.8244),
    ("jableh", "Jableh", "جبلة", "Jebleh", 35.361, 35.9256),
];

/// First words of neighbourhood names (English, Arabic, slug).
const PREFIXES: [(&str, &str, &str); 10] = [
    ("Bab", "باب", "bab"),
    ("Tal", "تل", "tal"),
    ("Ain", "عين", "ain"),
    ("Souq", "سوق", "souq"),
    ("Jisr", "جسر", "jisr"),
    ("Kafr", "كفر", "kafr"),
    ("Beit", "بيت", "beit"),
    ("Dahiyat", "ضاحية", "dahiyat"),
    ("Jabal", "جبل", "jabal"),
    ("Maydan", "ميدان", "maydan"),
];

/// Second words of neighbourhood names (English, Arabic, slug).
const ROOTS: [(&str, &str, &str); 20] = [
    ("Nasr", "النصر", "nasr"),
    ("Salam", "السلام", "salam"),
    ("Zahra", "الزهراء", "zahra"),
    ("Nour", "النور", "nour"),
    ("Qalaa", "القلعة", "qalaa"),
    ("Mansour", "المنصور", "mansour"),
    ("Rashid", "الرشيد", "rashid"),
    ("Karama", "الكرامة", "karama"),
    ("Hamra", "الحمراء", "hamra"),
    ("Shuhada", "الشهداء", "shuhada"),
    ("Zaytoun", "الزيتون", "zaytoun"),
    ("Rayhan", "الريحان", "rayhan"),
    ("Bustan", "البستان", "bustan"),
    ("Sakhour", "الصاخور", "sakhour"),
    ("Khalidiya", "الخالدية", "khalidiya"),
    ("Ghouta", "الغوطة", "ghouta"),
    ("Amal", "الأمل", "amal"),
    ("Wadi", "الوادي", "wadi"),
    ("Sabil", "السبيل", "sabil"),
    ("Furqan", "الفرقان", "furqan"),
];

/// slug, English name, Arabic name, aliases
const ACTORS: [(&str, &str, &str, &[&str]); 20] = [
    ("syrian-army", "Syrian Army", "الجيش السوري", &["الجيش السوري", "Syrian Arab Army", "SAA"]),
    ("sdf", "Syrian Democratic Forces", "قوات سوريا الديمقراطية", &["قسد", "SDF", "QSD"]),
    ("internal-security", "Internal Security Forces", "قوى الأمن الداخلي", &["قوى الأمن الداخلي", "الأمن الداخلي", "ISF"]),
    ("syrian-mod", "Syrian Ministry of Defence", "وزارة الدفاع السورية", &["وزارة الدفاع السورية", "Syrian MoD"]),
    (
        "syrian-interior",
        "Syrian Ministry of Interior",
        "وزارة الداخلية السورية",
        &["وزارة الداخلية السورية", "Syrian MoI"],
    ),
    (
        "syrian-government",
        "Syrian Government",
        "الحكومة السورية",
        &["الحكومة السورية", "حكومة دمشق", "Damascus government"],
    ),
    ("civil-defence", "Syrian Civil Defence", "الدفاع المدني السوري", &["الدفاع المدني", "White Helmets"]),
    (
        "emergency-ministry",
        "Ministry of Emergency and Disaster Management",
        "وزارة الطوارئ وإدارة الكوارث",
        &["وزارة الطوارئ", "Emergency Ministry"],
    ),
    ("sna", "Syrian National Army", "الجيش الوطني السوري", &["الجيش الوطني", "SNA"]),
    ("turkey-mod", "Turkish Ministry of Defence", "وزارة الدفاع التركية", &["وزارة الدفاع التركية", "MSB"]),
    ("russia-mod", "Russian Ministry of Defence", "وزارة الدفاع الروسية", &["وزارة الدفاع الروسية", "Russian MoD"]),
    ("us-centcom", "US Central Command", "القيادة المركزية الأميركية", &["CENTCOM", "سنتكوم"]),
    ("israel-army", "Israeli Army", "الجيش الإسرائيلي", &["الجيش الإسرائيلي", "IDF"]),
    ("isis", "Islamic State", "تنظيم الدولة الإسلامية", &["داعش", "تنظيم الدولة", "ISIS"]),
    ("sarc", "Syrian Arab Red Crescent", "الهلال الأحمر العربي السوري", &["الهلال الأحمر", "SARC"]),
    ("unhcr", "UN Refugee Agency", "المفوضية السامية للأمم المتحدة لشؤون اللاجئين", &["المفوضية", "UNHCR"]),
    ("civilians", "Civilians", "المدنيون", &["المدنيين", "civilian population"]),
    ("bakkara-tribe", "Bakkara tribal fighters", "مقاتلو عشيرة البكّارة", &["عشيرة البكارة", "Baggara tribe"]),
    (
        "suwayda-factions",
        "Suwayda local factions",
        "الفصائل المحلية في السويداء",
        &["فصائل السويداء", "Sweida factions"],
    ),
    ("military-police", "Military Police", "الشرطة العسكرية", &["الشرطة العسكرية", "MP"]),
];

/// Numbered units: English, Arabic, slug and alias stem.
const UNITS: [(&str, &str, &str); 5] = [
    ("Division", "الفرقة", "division"),
    ("Brigade", "اللواء", "brigade"),
    ("Regiment", "الفوج", "regiment"),
    ("Battalion", "الكتيبة", "battalion"),
    ("Corps", "الفيلق", "corps"),
];

/// Source names, and the site their links point at.
const SOURCES: [(&str, Option<&str>); 30] = [
    ("SANA", Some("sana.sy")),
    ("SOHR", Some("www.syriahr.com")),
    ("Enab Baladi", Some("english.enabbaladi.net")),
    ("عنب بلدي", Some("www.enabbaladi.net")),
    ("North Press Agency", Some("npasyria.com")),
    ("Syria TV", Some("www.syria.tv")),
    ("تلفزيون سوريا", Some("www.syria.tv")),
    ("Reuters", Some("www.reuters.com")),
    ("AFP", None),
    ("Al Jazeera", Some("www.aljazeera.com")),
    ("الجزيرة نت", Some("www.aljazeera.net")),
    ("Asharq Al-Awsat", Some("english.aawsat.com")),
    ("الشرق الأوسط", Some("aawsat.com")),
    ("Syrian Network for Human Rights", Some("snhr.org")),
    ("الشبكة السورية لحقوق الإنسان", Some("snhr.org")),
    ("Step News Agency", Some("stepagency-sy.net")),
    ("Hawar News Agency", Some("hawarnews.com")),
    ("Deir ez-Zor 24", Some("deirezzor24.net")),
    ("Euphrates Post", None),
    ("Syrian Civil Defence", Some("www.syriacivildefense.org")),
    ("الدفاع المدني السوري", None),
    ("Aleppo Health Directorate", None),
    ("مديرية صحة حلب", None),
    ("Local Coordination Committees", None),
    ("Eyewitness (Telegram)", None),
    ("مراسل محلي", None),
    ("UN OCHA", Some("reliefweb.int")),
    ("Levant 24", Some("levant24.com")),
    ("Zaman al-Wasl", Some("www.zamanalwsl.net")),
    ("Suwayda 24", Some("suwayda24.com")),
];

const NOTES_AR: [&str; 24] = [
    "قصف مدفعي عنيف استهدف الأحياء السكنية منذ ساعات الصباح الأولى",
    "اشتباكات متقطعة على أطراف الحي وسط حالة من التوتر الشديد",
    "أفاد مراسلون محليون بسماع دوي انفجارات متتالية",
    "انتشار أمني كثيف وإغلاق للطرق المؤدية إلى مركز المدينة",
    "نزوح عشرات العائلات باتجاه الأحياء المجاورة",
    "فرق الدفاع المدني تعمل على انتشال العالقين تحت الأنقاض",
    "مصادر طبية: المستشفى الميداني استقبل عدداً من الجرحى بينهم أطفال",
    "غارة جوية استهدفت مستودعاً على الطريق الرئيسي",
    "الأهالي يطالبون بفتح ممرات آمنة لخروج المدنيين",
    "تعزيزات عسكرية وصلت إلى المنطقة خلال الليل",
    "انقطاع الكهرباء والاتصالات عن عدة أحياء",
    "وفق حصيلة غير نهائية",
    "لم يتسنّ التحقق من الرواية بشكل مستقل",
    "بحسب ناشطين محليين",
    "رصاص قناص استهدف سيارة مدنية على الطريق العام",
    "إطلاق نار كثيف قرب الحاجز الرئيسي",
    "توقف حركة السير بشكل كامل بعد منتصف الليل",
    "استمرار عمليات التمشيط في الأحياء الشرقية",
    "عودة جزئية للأهالي بعد توقف الاشتباكات",
    "تضرر عدد من المنازل والمحال التجارية",
    "مصادر متقاطعة تؤكد وقوع إصابات",
    "الطرفان يتبادلان الاتهامات بخرق التفاهمات",
    "تحليق مكثف للطيران الحربي والمسيّر",
    "بيان رسمي نُشر على قناة تلغرام",
];

const NOTES_EN: [&str; 24] = [
    "residents reported heavy shelling overnight",
    "figures could not be independently verified",
    "local activists say the toll may rise",
    "the road to the city centre was closed",
    "dozens of families fled towards neighbouring districts",
    "according to a medical source at the field hospital",
    "reinforcements arrived during the night",
    "power and telecommunications were cut",
    "hour approximate; first reported on Telegram",
    "conflicting accounts from both sides",
    "a second source gives a lower figure",
    "the exact location is disputed",
    "time given in local time by the source",
    "reported a day later by a correspondent on the ground",
    "shops stayed closed for the second day",
    "drones were heard over the area all afternoon",
    "ambulances could not reach the wounded for hours",
    "the checkpoint changed hands twice",
    "the statement was read on state television",
    "translated from the Arabic original",
    "video footage geolocated by volunteers",
    "the figure includes two children",
    "no side claimed responsibility",
    "schools in the area suspended classes",
];

const QUOTES: [&str; 12] = [
    "ندعو جميع الأطراف إلى ضبط النفس وحماية المدنيين",
    "لن نسمح بأي اعتداء على أهلنا في المنطقة",
    "القوات ملتزمة بوقف إطلاق النار ما دام الطرف الآخر ملتزماً به",
    "سيتم فتح الطرق أمام المدنيين اعتباراً من صباح الغد",
    "ما جرى انتهاك صارخ للقانون الإنساني الدولي",
    "We urge all parties to exercise the utmost restraint.",
    "The situation on the ground remains extremely volatile.",
    "Humanitarian access must be guaranteed without delay.",
    "Our forces are acting to protect the civilian population.",
    "We reject any attempt to change the facts on the ground by force.",
    "The agreement will be monitored by a joint committee.",
    "Those responsible will be held accountable.",
];

const TERMS: [&str; 8] = [
    "Cessation of all hostilities from the stated hour.",
    "Armed groups withdraw heavy weapons from residential areas.",
    "Safe passage for civilians through the named crossings.",
    "Exchange of detainees within 48 hours.",
    "A joint committee monitors violations.",
    "Humanitarian convoys enter without inspection delays.",
    "Internal Security Forces take over the checkpoints.",
    "وقف الأعمال القتالية وفتح الطرق أمام المدنيين",
];

const DEMANDS: [&str; 6] = [
    "Armed groups must leave the neighbourhood with light weapons only.",
    "Hand over the checkpoint and the heavy weapons.",
    "Release all detained civilians.",
    "تسليم السلاح الثقيل ومغادرة الحي خلال المهلة المحددة",
    "إخلاء المقرات العسكرية داخل الأحياء السكنية",
    "Open the road to humanitarian convoys.",
];

/// One registered area.
#[derive(Debug, Clone)]
struct Area {
    slug: String,
    name: String,
    name_ar: String,
    latin: String,
    area_type: &'static str,
    lat: f64,
    lon: f64,
    /// Index of the city it lies in (its own index for a city).
    city: usize,
    is_city: bool,
}

/// One registered actor.
#[derive(Debug, Clone)]
struct Actor {
    slug: String,
    name: String,
    name_ar: String,
    aliases: Vec<String>,
}

#[derive(Debug, Clone)]
struct World {
    areas: Vec<Area>,
    /// Per city, the index of its own area and of the areas under it.
    cities: Vec<(usize, Vec<usize>)>,
    actors: Vec<Actor>,
}

impl World {
    fn new(rng: &mut Rng) -> World {
        // 180 distinct neighbourhood names out of the 200 prefix × root pairs
        let mut pairs: Vec<(usize, usize)> =
            (0..PREFIXES.len()).flat_map(|p| (0..ROOTS.len()).map(move |r| (p, r))).collect();
        for i in (1..pairs.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            pairs.swap(i, j);
        }
        let mut areas = Vec::new();
        let mut cities = Vec::new();
        for (c, (slug, name, name_ar, latin, lat, lon)) in CITIES.iter().enumerate() {
            let city = areas.len();
            areas.push(Area {
                slug: slug.to_string(),
                name: name.to_string(),
                name_ar: name_ar.to_string(),
                latin: latin.to_string(),
                area_type: "city",
                lat: *lat,
                lon: *lon,
                city,
                is_city: true,
            });
            let mut under = Vec::new();
            for &(p, r) in &pairs[c * PER_CITY..(c + 1) * PER_CITY] {
                let (pe, pa, ps) = PREFIXES[p];
                let (re, ra, rs) = ROOTS[r];
                let area_type = match rng.below(20) {
                    0..=13 => "neighbourhood",
                    14..=16 => "village",
                    17..=18 => "crossing",
                    _ => "district",
                };
                under.push(areas.len());
                areas.push(Area {
                    slug: format!("{slug}/{ps}-al-{rs}"),
                    name: format!("{pe} al-{re}"),
                    name_ar: format!("{pa} {ra}"),
                    latin: format!("{pe} el-{re}"),
                    area_type,
                    lat: round4(lat + (rng.unit() - 0.5) * 0.08),
                    lon: round4(lon + (rng.unit() - 0.5) * 0.08),
                    city,
                    is_city: false,
                });
            }
            cities.push((city, under));
        }
        let mut actors: Vec<Actor> = ACTORS
            .iter()
            .map(|(slug, name, name_ar, aliases)| Actor {
                slug: slug.to_string(),
                name: name.to_string(),
                name_ar: name_ar.to_string(),
                aliases: aliases.iter().map(|a| a.to_string()).collect(),
            })
            .collect();
        for (en, ar, stem) in UNITS {
            let mut numbers: Vec<u64> = Vec::new();
            while numbers.len() < UNITS_PER_KIND {
                let n = rng.range(1, 99);
                if !numbers.contains(&n) {
                    numbers.push(n);
                }
            }
            for n in numbers {
                actors.push(Actor {
                    slug: format!("{stem}-{n}"),
                    name: format!("{en} {n}"),
                    name_ar: format!("{ar} {n}"),
                    aliases: vec![format!("{ar} {n}"), format!("{}{n}", &stem[..3])],
                });
            }
        }
        World { areas, cities, actors }
    }

    fn area_line(&self, i: usize, id: Uuid, rng: &mut Rng, redefine: bool) -> Value {
        let a = &self.areas[i];
        let mut m = Map::new();
        m.insert("id".into(), json!(id));
        m.insert("kind".into(), json!("area"));
        m.insert("area".into(), json!(a.slug));
        m.insert("name".into(), json!(a.name));
        m.insert("name_ar".into(), json!(a.name_ar));
        m.insert("type".into(), json!(a.area_type));
        // a redefinition moves the marker a little: a new survey
        let nudge = if redefine { (rng.unit() - 0.5) * 0.002 } else { 0.0 };
        m.insert("lat".into(), json!(round4(a.lat + nudge)));
        m.insert("lon".into(), json!(round4(a.lon - nudge)));
        let mut aliases = vec![a.name_ar.clone()];
        if !a.is_city {
            aliases.push(format!("حي {}", a.name_ar));
            if rng.chance(0.5) {
                m.insert("parent".into(), json!(self.areas[a.city].slug));
            }
        }
        aliases.push(a.latin.clone());
        m.insert("aliases".into(), json!(aliases));
        m.insert(
            "source".into(),
            json!({"name": if redefine { "sijil gazetteer (revised)" } else { "sijil gazetteer" }}),
        );
        Value::Object(m)
    }

    fn actor_line(&self, i: usize, id: Uuid, redefine: bool) -> Value {
        let a = &self.actors[i];
        let mut m = Map::new();
        m.insert("id".into(), json!(id));
        m.insert("kind".into(), json!("actor"));
        m.insert("actor".into(), json!(a.slug));
        m.insert("name".into(), json!(a.name));
        m.insert("name_ar".into(), json!(a.name_ar));
        m.insert("aliases".into(), json!(a.aliases));
        m.insert(
            "source".into(),
            json!({"name": if redefine { "sijil gazetteer (revised)" } else { "sijil gazetteer" }}),
        );
        Value::Object(m)
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

// ---------------------------------------------------------------- times

/// How a time is written in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `2024-03-05T14:30:00+03:00`
    Offset,
    /// `2024-03-05T14:30+03:00` (the contract's own examples)
    OffsetShort,
    /// `2024-03-05T14:30`, read in the log's zone
    Local,
    /// `2024-03-05T11:30:00Z`
    Utc,
    /// `2024-03-05`
    Day,
}

fn text(t: DateTime<Utc>, form: Form) -> String {
    let local = t.with_timezone(&ZONE);
    match form {
        Form::Offset => local.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        Form::OffsetShort => local.format("%Y-%m-%dT%H:%M%:z").to_string(),
        Form::Local => local.format("%Y-%m-%dT%H:%M").to_string(),
        Form::Utc => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Form::Day => local.format("%Y-%m-%d").to_string(),
    }
}

/// The first instant a time written in `form` covers, as validation reads it.
fn start(t: DateTime<Utc>, form: Form) -> DateTime<Utc> {
    match form {
        Form::Day => {
            let day = t.with_timezone(&ZONE).date_naive().and_time(NaiveTime::MIN);
            ZONE.from_local_datetime(&day).earliest().map_or(t, |d| d.with_timezone(&Utc))
        }
        _ => t,
    }
}

fn hours(h: u64) -> chrono::Duration {
    chrono::Duration::minutes(h as i64 * 60)
}

// ---------------------------------------------------------------- events

/// A recent event that a later one may correct, retract or end.
#[derive(Debug, Clone)]
struct Live {
    id: Uuid,
    kind: Kind,
    /// Its start, as validation computes it.
    start: DateTime<Utc>,
    /// An `ended` event already names it.
    ended: bool,
    fields: Map<String, Value>,
}

/// What the next event line does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    New(Kind),
    Correct,
    Retract,
    End,
    RedefineArea,
    RedefineActor,
}

/// Per mille, the mix of event lines after the registry.
const MIX: [(Action, u32); 20] = [
    (Action::New(Kind::Shelling), 130),
    (Action::New(Kind::Sniping), 60),
    (Action::New(Kind::ArmedClash), 120),
    (Action::New(Kind::Airstrike), 60),
    (Action::New(Kind::CasualtyReport), 100),
    (Action::New(Kind::Statement), 165),
    (Action::New(Kind::ControlClaim), 60),
    (Action::New(Kind::Deployment), 50),
    (Action::New(Kind::Withdrawal), 30),
    (Action::New(Kind::Ceasefire), 20),
    (Action::New(Kind::Curfew), 25),
    (Action::New(Kind::Ultimatum), 15),
    (Action::New(Kind::Evacuation), 20),
    (Action::New(Kind::Detention), 40),
    (Action::New(Kind::DefectionCall), 10),
    (Action::End, 40),
    (Action::Correct, 35),
    (Action::Retract, 15),
    (Action::RedefineArea, 3),
    (Action::RedefineActor, 2),
];

/// Lines of a synthetic log, forever.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: Rng,
    world: World,
    pos: usize,
    pool: VecDeque<Live>,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        let mut rng = Rng::new(seed);
        let world = World::new(&mut rng);
        Generator { rng, world, pos: 0, pool: VecDeque::new() }
    }

    /// Lines emitted so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    fn fresh_id(&mut self) -> Uuid {
        let millis = clock(self.pos).timestamp_millis().max(0) as u64 + self.rng.below(96_000);
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&self.rng.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.rng.next_u64().to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid()
    }

    /// The next line (without its newline).
    pub fn line(&mut self) -> String {
        let value = self.value();
        self.pos += 1;
        value.to_string()
    }

    fn value(&mut self) -> Value {
        let id = self.fresh_id();
        let areas = self.world.areas.len();
        if self.pos < areas {
            let i = self.area_order(self.pos);
            return self.world.area_line(i, id, &mut self.rng, false);
        }
        if self.pos < REGISTRY_LINES {
            return self.world.actor_line(self.pos - areas, id, false);
        }
        let action = self.action();
        match action {
            Action::Correct => self.correction(id),
            Action::Retract => self.retraction(id),
            Action::End => self.ended(id),
            Action::RedefineArea => {
                let i = self.rng.below(areas as u64) as usize;
                self.world.area_line(i, id, &mut self.rng, true)
            }
            Action::RedefineActor => {
                let i = self.rng.below(self.world.actors.len() as u64) as usize;
                self.world.actor_line(i, id, true)
            }
            Action::New(kind) => self.domain(id, kind),
        }
    }

    /// Registry order: each city, then the areas under it.
    fn area_order(&self, pos: usize) -> usize {
        let (city, rest) = (pos / (1 + PER_CITY), pos % (1 + PER_CITY));
        let (own, under) = &self.world.cities[city];
        if rest == 0 {
            *own
        } else {
            under[rest - 1]
        }
    }

    fn action(&mut self) -> Action {
        let mut roll = self.rng.below(1000) as u32;
        let mut chosen = Action::New(Kind::Statement);
        for (action, weight) in MIX {
            if roll < weight {
                chosen = action;
                break;
            }
            roll -= weight;
        }
        match chosen {
            Action::Correct | Action::Retract if self.pool.len() < 8 => Action::New(Kind::Shelling),
            other => other,
        }
    }

    /// The valid time of a new event: mostly hours before the position's
    /// clock, some days or weeks before (late reports).
    fn valid_time(&mut self) -> DateTime<Utc> {
        let late_minutes = match self.rng.below(100) {
            0..=79 => self.rng.range(0, 6 * 60),
            80..=94 => self.rng.range(6 * 60, 7 * 24 * 60),
            _ => self.rng.range(7 * 24 * 60, 60 * 24 * 60),
        };
        let t = clock(self.pos) - chrono::Duration::minutes(late_minutes as i64);
        t - chrono::Duration::seconds(t.timestamp().rem_euclid(60))
    }

    fn form(&mut self) -> Form {
        match self.rng.below(100) {
            0..=44 => Form::Offset,
            45..=64 => Form::OffsetShort,
            65..=84 => Form::Local,
            85..=94 => Form::Utc,
            _ => Form::Day,
        }
    }

    fn city(&mut self) -> usize {
        self.rng.skewed(self.world.cities.len())
    }

    /// 1 to 3 areas of one city, as indices.
    fn areas_in(&mut self, city: usize, max: usize) -> Vec<usize> {
        let (own, under) = self.world.cities[city].clone();
        let n = 1 + self.rng.below(max as u64) as usize;
        let mut out = Vec::new();
        for _ in 0..n {
            let a = if self.rng.chance(0.15) { own } else { *self.rng.pick(&under) };
            if !out.contains(&a) {
                out.push(a);
            }
        }
        out
    }

    /// How an area is named in input: slug, Arabic alias, transliteration or short slug.
    fn area_ref(&mut self, i: usize) -> String {
        let a = &self.world.areas[i];
        match self.rng.below(100) {
            0..=79 => a.slug.clone(),
            80..=91 => a.name_ar.clone(),
            92..=96 => a.latin.clone(),
            _ if !a.is_city => a.slug.rsplit('/').next().unwrap_or(&a.slug).to_string(),
            _ => a.slug.clone(),
        }
    }

    fn actor(&mut self) -> usize {
        self.rng.skewed(self.world.actors.len())
    }

    fn actor_ref(&mut self, i: usize) -> String {
        let a = &self.world.actors[i];
        if self.rng.chance(0.15) {
            self.rng.pick(&a.aliases).clone()
        } else {
            a.slug.clone()
        }
    }

    fn other_actor(&mut self, not: usize) -> usize {
        let mut t = self.actor();
        if t == not {
            t = (t + 1 + self.rng.below(self.world.actors.len() as u64 - 1) as usize) % self.world.actors.len();
        }
        t
    }

    fn source(&mut self, at: DateTime<Utc>) -> Value {
        let (name, site) = *self.rng.pick(&SOURCES);
        if self.rng.chance(0.45) {
            return json!(name);
        }
        let mut m = Map::new();
        m.insert("name".into(), json!(name));
        if let Some(site) = site {
            let n = self.rng.range(100_000, 999_999);
            m.insert("url".into(), json!(format!("https://{site}/news/{n}")));
        }
        if self.rng.chance(0.4) {
            let published = at + chrono::Duration::minutes(self.rng.range(5, 600) as i64);
            m.insert("published_at".into(), json!(text(published, Form::Offset)));
        }
        Value::Object(m)
    }

    fn note(&mut self, area: Option<usize>) -> String {
        let mut s = String::with_capacity(256);
        // mostly Arabic with an English gloss; some in one language only
        let style = self.rng.below(20);
        if style < 18 {
            s.push_str(self.rng.phrase(&NOTES_AR));
            if let Some(a) = area.filter(|_| self.rng.chance(0.6)) {
                s.push_str(" في ");
                s.push_str(&self.world.areas[a].name_ar);
            }
            if self.rng.chance(0.75) {
                s.push_str("، ");
                s.push_str(self.rng.phrase(&NOTES_AR));
            }
        }
        if style >= 3 {
            if !s.is_empty() {
                s.push_str(" — ");
            }
            s.push_str(self.rng.phrase(&NOTES_EN));
            if self.rng.chance(0.8) {
                s.push_str("; ");
                s.push_str(self.rng.phrase(&NOTES_EN));
            }
        }
        s
    }

    fn domain(&mut self, id: Uuid, kind: Kind) -> Value {
        let t = self.valid_time();
        let form = self.form();
        let city = self.city();
        let max_areas = if kind == Kind::ControlClaim { 1 } else { 3 };
        let areas = self.areas_in(city, max_areas);
        let actor = self.actor();
        let mut m = Map::new();
        m.insert("id".into(), json!(id));
        m.insert("kind".into(), json!(kind.as_str()));
        m.insert("at".into(), json!(text(t, form)));
        let needs_areas = !matches!(kind, Kind::Statement | Kind::DefectionCall);
        if needs_areas || self.rng.chance(0.6) {
            let refs: Vec<String> = areas.iter().map(|&a| self.area_ref(a)).collect();
            m.insert("areas".into(), json!(refs));
        }
        let needs_actor = !kind.is_violent() && kind != Kind::CasualtyReport;
        let actor_chance = if kind == Kind::CasualtyReport { 0.3 } else { 0.8 };
        if needs_actor || self.rng.chance(actor_chance) {
            let r = self.actor_ref(actor);
            m.insert("actor".into(), json!(r));
        }
        let target_chance = match kind {
            Kind::DefectionCall => 1.0,
            Kind::Ultimatum => 0.8,
            k if k.is_violent() => 0.6,
            Kind::Detention => 0.5,
            Kind::Statement => 0.3,
            _ => 0.0,
        };
        if self.rng.chance(target_chance) {
            let target = self.other_actor(actor);
            let r = self.actor_ref(target);
            m.insert("target".into(), json!(r));
        }
        let at_start = start(t, form);
        match kind {
            Kind::Shelling | Kind::Sniping | Kind::ArmedClash | Kind::Airstrike => {
                if self.rng.chance(0.35) {
                    m.insert("killed".into(), json!(self.rng.range(0, 12)));
                }
                if self.rng.chance(0.4) {
                    m.insert("wounded".into(), json!(self.rng.range(0, 30)));
                }
            }
            Kind::CasualtyReport => {
                let both = self.rng.below(3);
                if both != 1 {
                    m.insert("killed".into(), json!(self.rng.range(0, 80)));
                }
                if both != 0 {
                    m.insert("wounded".into(), json!(self.rng.range(0, 200)));
                }
                if self.rng.chance(0.7) {
                    m.insert("civilian".into(), json!(self.rng.chance(0.8)));
                }
                m.insert("cumulative".into(), json!(self.rng.chance(0.5)));
            }
            Kind::Statement => self.maybe(&mut m, 0.7, "quote", |g| json!(g.rng.pick(&QUOTES))),
            Kind::ControlClaim => {
                let extent = match self.rng.below(10) {
                    0..=2 => json!("full"),
                    3..=6 => json!("partial"),
                    _ => json!(self.rng.range(5, 95)),
                };
                m.insert("extent".into(), extent);
            }
            Kind::Deployment => self.maybe_until(&mut m, t, 0.4, (24, 30 * 24)),
            Kind::Ceasefire => {
                if self.rng.chance(0.7) {
                    let n = 1 + self.rng.below(4) as usize;
                    let terms: Vec<&str> = (0..n).map(|_| *self.rng.pick(&TERMS)).collect();
                    m.insert("terms".into(), json!(terms));
                }
                self.maybe_until(&mut m, t, 0.5, (12, 14 * 24));
            }
            Kind::Curfew => self.maybe_until(&mut m, t, 0.8, (6, 14)),
            Kind::Ultimatum => {
                let deadline = t + hours(self.rng.range(6, 72));
                m.insert("deadline".into(), json!(text(deadline, Form::Offset)));
                if self.rng.chance(0.7) {
                    m.insert("demand".into(), json!(self.rng.pick(&DEMANDS)));
                }
            }
            Kind::Evacuation => {
                if self.rng.chance(0.6) {
                    let via = self.areas_in(city, 2);
                    let refs: Vec<String> = via.iter().map(|&a| self.area_ref(a)).collect();
                    m.insert("via".into(), json!(refs));
                }
                self.maybe_until(&mut m, t, 0.3, (4, 72));
            }
            Kind::Detention => self.maybe(&mut m, 0.6, "count", |g| json!(g.rng.range(1, 40))),
            Kind::DefectionCall => {
                self.maybe(&mut m, 0.8, "contact", |g| json!(format!("09{}", g.rng.range(10_000_000, 99_999_999))))
            }
            _ => {}
        }
        m.insert("source".into(), self.source(t));
        if self.rng.chance(0.95) {
            let note = self.note(areas.first().copied());
            m.insert("note".into(), json!(note));
        }
        self.remember(Live { id, kind, start: at_start, ended: false, fields: m.clone() });
        Value::Object(m)
    }

    /// With probability `p`, a field whose value `value` makes.
    fn maybe(&mut self, m: &mut Map<String, Value>, p: f64, field: &str, value: impl FnOnce(&mut Self) -> Value) {
        if self.rng.chance(p) {
            let v = value(self);
            m.insert(field.into(), v);
        }
    }

    /// With probability `p`, an `until` some hours (`lo..=hi`) after `t`.
    fn maybe_until(&mut self, m: &mut Map<String, Value>, t: DateTime<Utc>, p: f64, (lo, hi): (u64, u64)) {
        self.maybe(m, p, "until", |g| json!(text(t + hours(g.rng.range(lo, hi)), Form::Offset)));
    }

    fn remember(&mut self, live: Live) {
        self.pool.push_back(live);
        if self.pool.len() > POOL {
            self.pool.pop_front();
        }
    }

    /// A recent entry of the pool, favouring the latest.
    fn pick_live(&mut self) -> usize {
        let n = self.pool.len();
        let back = self.rng.skewed(n.min(1024));
        n - 1 - back
    }

    /// A new version of a recent event: other figures, another source.
    fn correction(&mut self, id: Uuid) -> Value {
        let i = self.pick_live();
        let old = self.pool[i].clone();
        let mut m = old.fields.clone();
        m.insert("id".into(), json!(id));
        m.insert("corrects".into(), json!(old.id));
        for field in ["killed", "wounded", "count"] {
            if let Some(n) = m.get(field).and_then(Value::as_u64) {
                m.insert(field.into(), json!(n + self.rng.range(1, 5)));
            }
        }
        if m.contains_key("extent") {
            m.insert("extent".into(), json!(self.rng.range(10, 100)));
        }
        let at = clock(self.pos);
        m.insert("source".into(), self.source(at));
        let mut note =
            String::from("تصحيح للرواية السابقة بعد مراجعة المصدر — correction after the source revised its account");
        if self.rng.chance(0.5) {
            note.push_str("; ");
            note.push_str(self.rng.phrase(&NOTES_EN));
        }
        m.insert("note".into(), json!(note));
        self.pool[i] = Live { id, kind: old.kind, start: old.start, ended: old.ended, fields: m.clone() };
        Value::Object(m)
    }

    fn retraction(&mut self, id: Uuid) -> Value {
        let i = self.pick_live();
        let Some(old) = self.pool.remove(i) else { return self.domain(id, Kind::Statement) };
        let at = clock(self.pos);
        let mut m = Map::new();
        m.insert("id".into(), json!(id));
        m.insert("kind".into(), json!("retraction"));
        m.insert("at".into(), json!(text(at - chrono::Duration::seconds(at.timestamp().rem_euclid(60)), Form::Offset)));
        m.insert("retracts".into(), json!(old.id));
        m.insert("source".into(), self.source(at));
        let note = match self.rng.below(3) {
            0 => "the source withdrew the report: footage was from an earlier incident",
            1 => "سحب المصدر الخبر بعد التحقق — the report was a duplicate of an earlier one",
            _ => "retracted: the location was misidentified; تم تحديد الموقع بشكل خاطئ",
        };
        m.insert("note".into(), json!(note));
        Value::Object(m)
    }

    /// The end of a recent ceasefire, curfew, ultimatum, deployment or evacuation.
    fn ended(&mut self, id: Uuid) -> Value {
        let n = self.pool.len();
        let mut found = None;
        for _ in 0..16 {
            if n == 0 {
                break;
            }
            let i = self.pick_live();
            if self.pool[i].kind.is_durative() && !self.pool[i].ended {
                found = Some(i);
                break;
            }
        }
        let Some(i) = found else { return self.domain(id, Kind::ArmedClash) };
        self.pool[i].ended = true;
        let (target, begin, kind) = (self.pool[i].id, self.pool[i].start, self.pool[i].kind);
        let at = begin + hours(self.rng.range(1, 96));
        let mut m = Map::new();
        m.insert("id".into(), json!(id));
        m.insert("kind".into(), json!("ended"));
        m.insert("at".into(), json!(text(at, Form::Offset)));
        m.insert("ends".into(), json!(target));
        if let Some(actor) = self.pool[i].fields.get("actor").cloned().filter(|_| self.rng.chance(0.5)) {
            m.insert("actor".into(), actor);
        }
        m.insert("source".into(), self.source(at));
        let note = format!(
            "انتهاء {} المعلن سابقاً — the {} announced earlier is over",
            match kind {
                Kind::Ceasefire => "وقف إطلاق النار",
                Kind::Curfew => "حظر التجول",
                Kind::Ultimatum => "المهلة",
                Kind::Deployment => "الانتشار",
                _ => "الإجلاء",
            },
            kind.as_str()
        );
        m.insert("note".into(), json!(note));
        Value::Object(m)
    }
}

impl Iterator for Generator {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        Some(self.line())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use sijil_core::{Admitted, Context};

    use super::*;

    #[test]
    fn every_line_of_5000_is_admitted_and_every_kind_appears() {
        let mut ctx = Context::new(ZONE);
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        let (mut bytes, mut corrections, mut aliased) = (0usize, 0usize, 0usize);
        for (n, line) in Generator::new(7).take(5000).enumerate() {
            bytes += line.len() + 1;
            let event = match ctx.admit(&line, Uuid::from_u128(n as u128)) {
                Ok(Admitted::New(e)) => e,
                other => panic!("line {}: {other:?}\n{line}", n + 1),
            };
            if event.corrects.is_some() {
                corrections += 1;
            }
            if line.contains("\"areas\":[\"") && event.areas.iter().any(|a| !line.contains(&format!("\"{a}\""))) {
                aliased += 1;
            }
            *kinds.entry(event.kind.as_str()).or_default() += 1;
            ctx.learn(&event);
        }
        for kind in Kind::ALL {
            assert!(kinds.get(kind.as_str()).copied().unwrap_or(0) > 0, "no {kind} in {kinds:?}");
        }
        assert!(corrections > 50, "{corrections} corrections");
        assert!(kinds["retraction"] > 20, "{kinds:?}");
        assert!(aliased > 100, "{aliased} lines name an area by an alias");
        let average = bytes / 5000;
        assert!((350..=550).contains(&average), "{average} bytes a line");
    }

    #[test]
    fn the_same_seed_gives_the_same_log_and_a_short_log_is_a_prefix() {
        let long: Vec<String> = Generator::new(3).take(800).collect();
        let short: Vec<String> = Generator::new(3).take(400).collect();
        assert_eq!(&long[..400], &short[..]);
        let other: Vec<String> = Generator::new(4).take(400).collect();
        assert_ne!(short, other);
    }

    #[test]
    fn valid_times_arrive_out_of_order() {
        let mut ctx = Context::new(ZONE);
        let mut starts = Vec::new();
        for (n, line) in Generator::new(1).take(2000).enumerate() {
            let Ok(Admitted::New(e)) = ctx.admit(&line, Uuid::from_u128(n as u128)) else { panic!("line {n}") };
            if let Some(t) = e.at {
                starts.push(t.start(ZONE));
            }
            ctx.learn(&e);
        }
        let backwards = starts.windows(2).filter(|w| w[1] < w[0]).count();
        assert!(backwards > starts.len() / 5, "{backwards} of {}", starts.len());
    }
}
