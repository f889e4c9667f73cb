//! Generators of raw bodies as Spotify could send them, and worse: fields
//! omitted, null or of the wrong JSON type; huge, negative and fractional
//! numbers; empty, very long and any-Unicode strings; duplicate items; a
//! `total` that disagrees with the items; bytes that are not JSON.
//!
//! Shared by the raw, transform and lake property tests.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// `cases` cases with the xorshift generator: ChaCha, the default,
/// takes most of a debug-build run.
pub(crate) fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    }
}

const BASE62: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Strings of `len` characters from `alphabet` (cheaper to build than a
/// regex strategy, which parses its pattern each time).
fn chars_of(alphabet: &'static str, len: std::ops::Range<usize>) -> BoxedStrategy<String> {
    let chars: Vec<char> = alphabet.chars().collect();
    prop::collection::vec(prop::sample::select(chars), len)
        .prop_map(String::from_iter)
        .boxed()
}

/// A valid Spotify id (22 base-62 characters).
pub(crate) fn spotify_id() -> BoxedStrategy<String> {
    chars_of(BASE62, 22..23)
}

/// The file id of the `i`-th input: valid and unique.
pub(crate) fn file_id(i: usize) -> String {
    format!("{i:0>22}")
}

/// Ids that must never name a file.
pub(crate) const HOSTILE_IDS: [&str; 9] = [
    "../../x",
    "..",
    "0du5cEVh5yTK9QJze8/A0C",
    "0du5cEVh5yTK9QJze%2FA0",
    "0du5cEVh5yTK9QJze8zA0\0",
    "0du5cEVh5yTK9QJze8zA0CX",
    "0du5cEVh5yTK9QJze8zA0Ä",
    "",
    "spotify:album:0du5cEVh5yTK9QJze8zA0C",
];

/// Any string: short names, empty, any Unicode (control characters and
/// NUL included) and very long.
pub(crate) fn text() -> BoxedStrategy<String> {
    prop_oneof![
        16 => chars_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ()'.-", 1..24),
        4 => Just(String::new()),
        8 => prop::collection::vec(any::<char>(), 0..24).prop_map(String::from_iter),
        1 => (any::<char>(), 1_000usize..20_000)
            .prop_map(|(c, n)| std::iter::repeat_n(c, n).collect()),
    ]
    .boxed()
}

/// A JSON number: usual, zero, negative, huge, beyond i64, fractional.
pub(crate) fn number() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => (0i64..400_000).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => prop::sample::select(vec![
            json!(-1),
            json!(0),
            json!(i64::MAX),
            json!(i64::MIN),
            json!(u64::MAX),
            json!(1e300),
            json!(-0.5),
            json!(2.5),
        ]),
    ]
    .boxed()
}

/// A value of whatever JSON type: what a field of another type gets.
pub(crate) fn wrong_type() -> BoxedStrategy<Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::from),
        text().prop_map(Value::from),
        number(),
        Just(json!({})),
        Just(json!([])),
        Just(json!([1, "x", null])),
        Just(json!({"items": [{"id": 1}], "total": "2"})),
    ]
    .boxed()
}

/// A field: present and well typed, omitted (`None`), null or of
/// another JSON type.
pub(crate) fn field<S>(good: S) -> BoxedStrategy<Option<Value>>
where
    S: Strategy<Value = Value> + 'static,
{
    prop_oneof![
        12 => good.prop_map(Some),
        1 => Just(None),
        1 => Just(Some(Value::Null)),
        1 => wrong_type().prop_map(Some),
    ]
    .boxed()
}

/// Only present, omitted or null: the well-typed fields of whole bodies.
pub(crate) fn optional<S>(good: S) -> BoxedStrategy<Option<Value>>
where
    S: Strategy<Value = Value> + 'static,
{
    prop_oneof![
        6 => good.prop_map(Some),
        1 => Just(None),
        1 => Just(Some(Value::Null)),
    ]
    .boxed()
}

/// An object of the fields that are present.
pub(crate) fn object(fields: Vec<(&str, Option<Value>)>) -> Value {
    let map: Map<String, Value> = fields
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
        .collect();
    Value::Object(map)
}

/// A release date: every precision, `0000`, impossible dates, garbage.
pub(crate) fn release_date() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => (1900i32..2030, 1u32..=12, 1u32..=28).prop_flat_map(|(y, m, d)| {
            prop::sample::select(vec![
                format!("{y}"),
                format!("{y}-{m:02}"),
                format!("{y}-{m:02}-{d:02}"),
            ])
        }),
        2 => prop::sample::select(vec![
            "0000".to_owned(),
            "0000-00-00".to_owned(),
            "2026-13-45".to_owned(),
            "1999-02-29".to_owned(),
            "2000-02-29".to_owned(),
            "2011-1-1".to_owned(),
            "-001".to_owned(),
            "+2011-01-01".to_owned(),
            "19999".to_owned(),
            "ÄÄ".to_owned(),
            " ".to_owned(),
        ]),
        1 => text(),
    ]
    .prop_map(Value::from)
    .boxed()
}

/// An embedded artist; sometimes null.
pub(crate) fn artist_ref() -> BoxedStrategy<Value> {
    prop_oneof![
        6 => (optional(spotify_id().prop_map(Value::from)), optional(text().prop_map(Value::from)))
            .prop_map(|(id, name)| object(vec![("id", id), ("name", name)])),
        1 => Just(Value::Null),
    ]
    .boxed()
}

/// A list of embedded artists.
pub(crate) fn artist_refs() -> BoxedStrategy<Value> {
    prop::collection::vec(artist_ref(), 0..4)
        .prop_map(Value::from)
        .boxed()
}

/// A track of an album's track list whose fields are well typed and
/// whose duration is valid: `(body, duration_ms)`.
pub(crate) fn whole_track() -> BoxedStrategy<(Value, i64)> {
    let duration = prop_oneof![
        8 => 0i64..1_000_000,
        1 => Just(0i64),
        1 => Just(i64::from(u32::MAX)),
    ];
    (
        optional(spotify_id().prop_map(Value::from)),
        optional(text().prop_map(Value::from)),
        optional((0i64..4).prop_map(Value::from)),
        optional((-1i64..40).prop_map(Value::from)),
        duration,
        optional(any::<bool>().prop_map(Value::from)),
        optional(artist_refs()),
        optional(text().prop_map(|isrc| json!({ "isrc": isrc }))),
    )
        .prop_map(|(id, name, disc, number, ms, explicit, artists, ext)| {
            let body = object(vec![
                ("id", id),
                ("name", name),
                ("disc_number", disc),
                ("track_number", number),
                ("duration_ms", Some(Value::from(ms))),
                ("explicit", explicit),
                ("artists", artists),
                ("external_ids", ext),
                ("type", Some(Value::from("track"))),
            ]);
            (body, ms)
        })
        .boxed()
}

/// A well-typed track whose `duration_ms` may be absent, null,
/// negative, huge or fractional.
pub(crate) fn loose_track() -> BoxedStrategy<Value> {
    (whole_track(), optional(number()))
        .prop_map(|((mut body, _), ms)| {
            let map = body.as_object_mut().expect("a track is an object");
            match ms {
                Some(ms) => map.insert("duration_ms".into(), ms),
                None => map.remove("duration_ms"),
            };
            body
        })
        .boxed()
}

/// A track with any field omitted, null or of the wrong type.
pub(crate) fn track() -> BoxedStrategy<Value> {
    (
        field(spotify_id().prop_map(Value::from)),
        field(text().prop_map(Value::from)),
        field(number()),
        field(number()),
        field(number()),
        field(any::<bool>().prop_map(Value::from)),
        field(artist_refs()),
        field(text().prop_map(|isrc| json!({ "isrc": isrc }))),
        field(prop::sample::select(vec!["track", "episode"]).prop_map(Value::from)),
        field(any::<bool>().prop_map(Value::from)),
    )
        .prop_map(
            |(id, name, disc, number, ms, explicit, artists, ext, kind, local)| {
                object(vec![
                    ("id", id),
                    ("name", name),
                    ("disc_number", disc),
                    ("track_number", number),
                    ("duration_ms", ms),
                    ("explicit", explicit),
                    ("artists", artists),
                    ("external_ids", ext),
                    ("type", kind),
                    ("is_local", local),
                ])
            },
        )
        .boxed()
}

/// The album-level fields other than `id`, `name` and `tracks`, well
/// typed (present, omitted or null).
fn album_fields() -> BoxedStrategy<Vec<(&'static str, Option<Value>)>> {
    (
        optional(
            prop::sample::select(vec!["album", "single", "compilation"]).prop_map(Value::from),
        ),
        optional(release_date()),
        optional(prop::sample::select(vec!["year", "month", "day", "hour"]).prop_map(Value::from)),
        optional(artist_refs()),
        optional(text().prop_map(Value::from)),
        optional(number().prop_filter("an integer", Value::is_i64)),
        optional(text().prop_map(|upc| json!({ "upc": upc }))),
    )
        .prop_map(|(kind, date, precision, artists, label, popularity, ext)| {
            vec![
                ("album_type", kind),
                ("release_date", date),
                ("release_date_precision", precision),
                ("artists", artists),
                ("label", label),
                ("popularity", popularity),
                ("external_ids", ext),
            ]
        })
        .boxed()
}

/// A whole album named by `id`: well-typed tracks with valid durations,
/// no track id twice, every page present (`total` and `total_tracks`
/// equal to the items, absent or null), odd optional fields. Returns the
/// body and its durations in item order. (More items than the total, or a
/// track id twice, is a skip: [`messy_album`].)
pub(crate) fn whole_album(id: String) -> BoxedStrategy<(Value, Vec<i64>)> {
    let tracks = prop::collection::vec(whole_track(), 1..24).prop_map(|tracks| {
        let mut seen = std::collections::HashSet::new();
        tracks
            .into_iter()
            .filter(|(t, _)| {
                t.get("id")
                    .and_then(Value::as_str)
                    .is_none_or(|id| seen.insert(id.to_owned()))
            })
            .collect::<Vec<_>>()
    });
    (tracks, album_fields(), text(), 0u8..3, 0u8..3)
        .prop_map(
            move |(tracks, fields, name, total_kind, album_total_kind)| {
                let n = tracks.len() as i64;
                let equal_or_absent = |kind: u8| match kind {
                    0 => None,
                    1 => Some(Value::Null),
                    _ => Some(Value::from(n)),
                };
                let durations: Vec<i64> = tracks.iter().map(|(_, ms)| *ms).collect();
                let items: Vec<Value> = tracks.into_iter().map(|(t, _)| t).collect();
                let paging = object(vec![
                    ("items", Some(Value::from(items))),
                    ("total", equal_or_absent(total_kind)),
                    ("next", Some(Value::Null)),
                ]);
                let mut all = vec![
                    ("id", Some(Value::from(id.clone()))),
                    ("name", Some(Value::from(name))),
                    ("total_tracks", equal_or_absent(album_total_kind)),
                    ("tracks", Some(paging)),
                ];
                all.extend(fields);
                (object(all), durations)
            },
        )
        .boxed()
}

/// A body's `id`: mostly the file's, else another album's, a hostile
/// string, or not a string at all.
fn body_id(id: String) -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        10 => Just(Some(Value::from(id))),
        1 => spotify_id().prop_map(|other| Some(Value::from(other))),
        1 => prop::sample::select(HOSTILE_IDS.to_vec()).prop_map(|h| Some(Value::from(h))),
        1 => wrong_type().prop_map(Some),
        1 => Just(None),
        1 => Just(Some(Value::Null)),
    ]
    .boxed()
}

/// An album with anything wrong: fields of every kind of wrongness,
/// null or hostile track items, `total` above, below or of the wrong
/// type.
pub(crate) fn messy_album(id: String) -> BoxedStrategy<Value> {
    let items = prop::collection::vec(
        prop_oneof![
            12 => loose_track(),
            1 => track(),
            1 => Just(Value::Null),
        ],
        0..12,
    )
    .prop_map(Value::from);
    let paging = (field(items), field(number()))
        .prop_map(|(items, total)| object(vec![("items", items), ("total", total)]));
    (
        body_id(id),
        field(text().prop_map(Value::from)),
        field(number()),
        field(paging),
        field(release_date()),
        field(artist_refs()),
        field(number()),
    )
        .prop_map(
            |(id, name, total_tracks, tracks, date, artists, popularity)| {
                object(vec![
                    ("id", id),
                    ("name", name),
                    ("total_tracks", total_tracks),
                    ("tracks", tracks),
                    ("release_date", date),
                    ("artists", artists),
                    ("popularity", popularity),
                ])
            },
        )
        .boxed()
}

/// The bytes of a file: the body as JSON, cut short, or not JSON.
pub(crate) fn bytes_of(body: Value) -> BoxedStrategy<Vec<u8>> {
    let json = serde_json::to_vec(&body).expect("JSON values serialise");
    let len = json.len();
    prop_oneof![
        12 => Just(json.clone()),
        1 => (0..len.max(1)).prop_map(move |cut| json[..cut.min(len)].to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..64),
    ]
    .boxed()
}

/// The `i`-th album file: `(file id, bytes)`, whole or messy.
pub(crate) fn album_file(i: usize) -> BoxedStrategy<(String, Vec<u8>)> {
    let id = file_id(i);
    let body = prop_oneof![
        1 => whole_album(id.clone()).prop_map(|(body, _)| body),
        1 => messy_album(id.clone()),
    ];
    body.prop_flat_map(bytes_of)
        .prop_map(move |bytes| (id.clone(), bytes))
        .boxed()
}

/// Up to `max` album files with distinct file ids.
pub(crate) fn album_files(max: usize) -> BoxedStrategy<Vec<(String, Vec<u8>)>> {
    (0..=max)
        .prop_flat_map(|n| (0..n).map(album_file).collect::<Vec<_>>())
        .boxed()
}

/// The `i`-th artist file: `(file id, bytes)`.
pub(crate) fn artist_file(i: usize) -> BoxedStrategy<(String, Vec<u8>)> {
    let id = file_id(i);
    let genres = prop::collection::vec(
        prop_oneof![4 => text().prop_map(Value::from), 1 => Just(Value::Null)],
        0..4,
    )
    .prop_map(Value::from);
    (
        body_id(id.clone()),
        field(text().prop_map(Value::from)),
        field(genres),
        field(field(number()).prop_map(|total| object(vec![("total", total)]))),
        field(number()),
    )
        .prop_map(|(id, name, genres, followers, popularity)| {
            object(vec![
                ("id", id),
                ("name", name),
                ("genres", genres),
                ("followers", followers),
                ("popularity", popularity),
            ])
        })
        .prop_flat_map(bytes_of)
        .prop_map(move |bytes| (id.clone(), bytes))
        .boxed()
}

/// A playlist body: either key shape, entries null, local, episodes,
/// tracks of any shape, `added_at` of any string.
pub(crate) fn playlist() -> BoxedStrategy<Value> {
    let added_at = prop_oneof![
        3 => Just(Value::from("2026-03-14T09:26:53Z")),
        1 => text().prop_map(Value::from),
    ];
    let entry = prop_oneof![
        8 => (field(added_at), field(any::<bool>().prop_map(Value::from)), field(track()), field(track()))
            .prop_map(|(added_at, local, item, legacy)| object(vec![
                ("added_at", added_at),
                ("is_local", local),
                ("item", item),
                ("track", legacy),
            ])),
        1 => Just(Value::Null),
    ];
    let paging = move || {
        let entries = prop::collection::vec(entry.clone(), 0..16).prop_map(Value::from);
        (field(entries), field(number()))
            .prop_map(|(items, total)| object(vec![("items", items), ("total", total)]))
    };
    (
        field(spotify_id().prop_map(Value::from)),
        field(text().prop_map(Value::from)),
        field(paging()),
        field(paging()),
    )
        .prop_map(|(id, name, items, tracks)| {
            object(vec![
                ("id", id),
                ("name", name),
                ("items", items),
                ("tracks", tracks),
            ])
        })
        .boxed()
}

/// Keys the lenient structs read, so generated objects reach into them.
const KEYS: [&str; 30] = [
    "id",
    "name",
    "tracks",
    "items",
    "total",
    "duration_ms",
    "disc_number",
    "track_number",
    "artists",
    "groups",
    "album",
    "item",
    "track",
    "is_local",
    "type",
    "episode",
    "release_date",
    "total_tracks",
    "external_ids",
    "followers",
    "genres",
    "popularity",
    "added_at",
    "format",
    "albums",
    "skipped",
    "requested",
    "status",
    "playlists",
    "fetched_at",
];

/// Any JSON value, objects keyed mostly by the fields the structs read,
/// nested up to four deep.
pub(crate) fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        number(),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 96, 8, |inner| {
        let key = prop_oneof![
            4 => prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned),
            1 => text(),
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
            prop::collection::btree_map(key, inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}
