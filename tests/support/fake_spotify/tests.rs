//! The fake Spotify API itself, checked with a plain HTTP client against
//! SPOTIFY_API.md, so the extractor's tests can trust it.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;

use super::{
    CLIENT_ID, CLIENT_SECRET, FakeData, FakeItem, FakeSpotify, Fault, GenresKnob, Knobs, Mode,
    PlaylistKeys,
};
use crate::support::raw_builder::read_raw_json;
use crate::support::sample::{DRAKE, sample_snapshot};

const JSON: &str = "application/json; charset=utf-8";

/// A response, read whole.
struct Resp {
    status: u16,
    content_type: Option<String>,
    retry_after: Option<String>,
    body: String,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// `error.message` of Spotify's error shape.
    fn message(&self) -> String {
        let v = self.json();
        assert_eq!(
            v["error"]["status"], self.status,
            "error.status matches: {v}"
        );
        v["error"]["message"]
            .as_str()
            .expect("an error message")
            .to_owned()
    }
}

/// A fake with a token and a client.
struct Api {
    fake: FakeSpotify,
    http: reqwest::Client,
    token: String,
}

fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .expect("a reqwest client")
}

async fn read(resp: reqwest::Response) -> Resp {
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .map(|v| v.to_str().expect("ASCII header").to_owned())
    };
    let (status, content_type, retry_after) = (
        resp.status().as_u16(),
        header("content-type"),
        header("retry-after"),
    );
    Resp {
        status,
        content_type,
        retry_after,
        body: resp.text().await.expect("a body"),
    }
}

async fn post_token(
    fake: &FakeSpotify,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> Resp {
    let mut req = client(Duration::from_secs(5)).post(format!("{}api/token", fake.auth_base_url()));
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    read(req.form(form).send().await.expect("the token request")).await
}

async fn new_token(fake: &FakeSpotify) -> String {
    let resp = post_token(
        fake,
        Some((CLIENT_ID, CLIENT_SECRET)),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    resp.json()["access_token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

impl Api {
    async fn start(data: FakeData, knobs: Knobs) -> Api {
        let fake = FakeSpotify::start(data, knobs).await;
        let token = new_token(&fake).await;
        Api {
            fake,
            http: client(Duration::from_secs(5)),
            token,
        }
    }

    async fn sample(knobs: Knobs) -> Api {
        Api::start(FakeData::from_sample(&sample_snapshot()), knobs).await
    }

    async fn synthetic(knobs: Knobs) -> Api {
        Api::start(FakeData::synthetic(12, 25, 7), knobs).await
    }

    /// GET `rel` (relative to the API base, or an absolute URL) with the token.
    async fn get(&self, rel: &str) -> Resp {
        self.get_with(&self.http, Some(&self.token), rel).await
    }

    async fn get_with(&self, http: &reqwest::Client, token: Option<&str>, rel: &str) -> Resp {
        let url = if rel.starts_with("http") {
            rel.to_owned()
        } else {
            format!("{}{rel}", self.fake.api_base_url())
        };
        let mut req = http.get(url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        read(req.send().await.expect("a request")).await
    }

    /// GET that must answer 200 with JSON.
    async fn ok(&self, rel: &str) -> Value {
        let resp = self.get(rel).await;
        assert_eq!(resp.status, 200, "GET {rel}: {}", resp.body);
        assert_eq!(resp.content_type.as_deref(), Some(JSON), "GET {rel}");
        resp.json()
    }
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("a paging object has items")
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn is_base62_id(id: &str) -> bool {
    id.len() == 22 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

// ---------------------------------------------------------------- auth

#[tokio::test]
async fn token_flow_and_bad_credentials() {
    let fake = FakeSpotify::start(
        FakeData::default(),
        Knobs {
            token_ttl_secs: 1234,
            ..Knobs::dev()
        },
    )
    .await;
    let grant = [("grant_type", "client_credentials")];

    let ok = post_token(&fake, Some((CLIENT_ID, CLIENT_SECRET)), &grant).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.content_type.as_deref(), Some(JSON));
    let body = ok.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 1234);
    let first = body["access_token"].as_str().expect("a token").to_owned();
    assert!(
        body.get("refresh_token").is_none() && body.get("scope").is_none(),
        "{body}"
    );

    // Form credentials work too, and every token is new.
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
    ];
    let second = post_token(&fake, None, &form).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_ne!(second.json()["access_token"].as_str(), Some(first.as_str()));

    for (basic, description) in [
        (Some(("not-the-id", CLIENT_SECRET)), "Invalid client"),
        (Some((CLIENT_ID, "not-the-secret")), "Invalid client secret"),
        (None, "Invalid client"),
    ] {
        let bad = post_token(&fake, basic, &grant).await;
        assert_eq!(bad.status, 400, "{basic:?}");
        assert_eq!(bad.json()["error"], "invalid_client", "{basic:?}");
        assert_eq!(bad.json()["error_description"], description, "{basic:?}");
    }

    let wrong_grant = post_token(
        &fake,
        Some((CLIENT_ID, CLIENT_SECRET)),
        &[("grant_type", "authorization_code")],
    )
    .await;
    assert_eq!(wrong_grant.status, 400);
    assert_eq!(wrong_grant.json()["error"], "unsupported_grant_type");

    let log = fake.requests();
    assert_eq!(log.len(), 6);
    assert!(
        log.iter()
            .all(|r| r.endpoint() == "token" && r.method == "POST" && r.path == "/api/token")
    );
    let statuses: Vec<u16> = log.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 200, 400, 400, 400, 400]);
    assert!(log.windows(2).all(|w| w[0].at <= w[1].at), "arrival order");
}

#[tokio::test]
async fn v1_needs_a_valid_unexpired_unrevoked_token() {
    let api = Api::sample(Knobs::dev()).await;
    let rel = format!("artists/{DRAKE}");

    let none = api.get_with(&api.http, None, &rel).await;
    assert_eq!(none.status, 401);
    assert_eq!(none.content_type.as_deref(), Some(JSON));
    none.message();
    assert_eq!(
        api.get_with(&api.http, Some("made-up"), &rel).await.status,
        401
    );
    assert_eq!(api.get(&rel).await.status, 200);

    // Revoked: the old token fails until a new one is fetched; the new one works.
    api.fake.set_knobs(|k| k.revoked = true);
    let revoked = api.get(&rel).await;
    assert_eq!(revoked.status, 401);
    assert_eq!(revoked.message(), "The access token expired");
    let fresh = new_token(&api.fake).await;
    assert_eq!(
        api.get_with(&api.http, Some(&fresh), &rel).await.status,
        200
    );
    assert_eq!(
        api.get(&rel).await.status,
        401,
        "the revoked token stays revoked"
    );

    // TTL 0: every token is born expired, so a new token does not help.
    api.fake.set_knobs(|k| k.token_ttl_secs = 0);
    let short = new_token(&api.fake).await;
    assert_eq!(
        api.get_with(&api.http, Some(&short), &rel).await.status,
        401
    );

    let log = api.fake.requests();
    let v1: Vec<_> = log.iter().filter(|r| r.endpoint() != "token").collect();
    assert_eq!(v1[0].bearer, None);
    assert_eq!(v1[1].bearer.as_deref(), Some("made-up"));
    assert_eq!(v1[2].bearer.as_deref(), Some(api.token.as_str()));
    assert_eq!(
        v1.iter().map(|r| r.status).collect::<Vec<_>>(),
        [401, 401, 200, 401, 200, 401, 401]
    );
    assert!(
        v1.iter()
            .all(|r| r.endpoint() == "artist" && r.path == format!("/v1/artists/{DRAKE}"))
    );
}

#[tokio::test]
async fn premium_lapse_is_403_everywhere() {
    let api = Api::sample(Knobs {
        premium_lapsed: true,
        ..Knobs::dev()
    })
    .await;
    for rel in [
        format!("artists/{DRAKE}"),
        "search?q=Drake&type=artist".to_owned(),
    ] {
        let resp = api.get(&rel).await;
        assert_eq!(resp.status, 403, "{rel}");
        assert!(resp.message().contains("premium"), "{}", resp.body);
    }
}

// ---------------------------------------------------------------- limits and paging

#[tokio::test]
async fn artist_album_limits_per_mode_are_never_clamped() {
    let api = Api::synthetic(Knobs::dev()).await;
    let artist = api.fake.data().artists[0].id.clone();
    let rel =
        |limit: &str| format!("artists/{artist}/albums?include_groups=album&market=GB{limit}");
    let status = |resp: Resp| {
        (
            resp.status,
            if resp.status == 200 {
                String::new()
            } else {
                resp.message()
            },
        )
    };

    assert_eq!(
        status(api.get(&rel("&limit=11")).await),
        (400, "Invalid limit".to_owned())
    );
    for bad in [
        "&limit=0",
        "&limit=-1",
        "&limit=ten",
        "&limit=5.5",
        "&limit=50",
    ] {
        assert_eq!(api.get(&rel(bad)).await.status, 400, "{bad}");
    }
    assert_eq!(ids(&api.ok(&rel("&limit=10")).await).len(), 10);
    let default = api.ok(&rel("")).await;
    assert_eq!(
        (default["limit"].as_u64(), ids(&default).len()),
        (Some(5), 5)
    );

    api.fake.set_knobs(|k| k.mode = Mode::Ext);
    assert_eq!(api.ok(&rel("&limit=50")).await["limit"], 50);
    assert_eq!(api.ok(&rel("")).await["limit"], 20);
    assert_eq!(api.get(&rel("&limit=51")).await.status, 400);

    api.fake.set_knobs(|k| k.mode = Mode::ExtCapped10);
    assert_eq!(api.get(&rel("&limit=50")).await.status, 400);
    assert_eq!(api.ok(&rel("&limit=10")).await["limit"], 10);
}

#[tokio::test]
async fn artist_albums_page_with_next_total_and_groups() {
    let api = Api::sample(Knobs::dev()).await;
    let expected: Vec<String> = api
        .fake
        .data()
        .artist(DRAKE)
        .unwrap()
        .albums
        .iter()
        .filter(|a| a.group == "album")
        .map(|a| a.id.clone())
        .collect();
    assert_eq!(expected.len(), 18);

    // Parameters in an odd order; `next` keeps them and is absolute on the fake.
    let first = api
        .ok(&format!(
            "artists/{DRAKE}/albums?limit=10&market=GB&offset=0&include_groups=album"
        ))
        .await;
    assert_eq!(first["total"], 18);
    assert_eq!(
        (first["offset"].as_u64(), first["limit"].as_u64()),
        (Some(0), Some(10))
    );
    assert!(first["previous"].is_null());
    let href = first["href"].as_str().unwrap();
    assert!(
        href.starts_with(&format!(
            "{}artists/{DRAKE}/albums?",
            api.fake.api_base_url()
        )),
        "{href}"
    );
    let next = first["next"].as_str().expect("a next page").to_owned();
    assert!(next.starts_with(&api.fake.api_base_url()), "{next}");
    for part in ["include_groups=album", "market=GB", "offset=10", "limit=10"] {
        assert!(next.contains(part), "{next} lacks {part}");
    }
    let second = api.ok(&next).await;
    assert!(second["next"].is_null());
    assert!(second["previous"].as_str().unwrap().contains("offset=0"));
    let mut got = ids(&first);
    got.extend(ids(&second));
    assert_eq!(got, expected, "every album of the group, in order, once");

    // Development mode: no album_group, no available_markets.
    let album = &first["items"][0];
    assert!(
        album.get("album_group").is_none() && album.get("available_markets").is_none(),
        "{album}"
    );
    for key in [
        "id",
        "name",
        "album_type",
        "total_tracks",
        "release_date",
        "release_date_precision",
        "artists",
        "images",
        "uri",
    ] {
        assert!(album.get(key).is_some(), "simplified album lacks {key}");
    }

    // A last page that ends exactly at total has no next.
    let exact = api
        .ok(&format!(
            "artists/{DRAKE}/albums?include_groups=album&limit=9&offset=9"
        ))
        .await;
    assert_eq!(ids(&exact).len(), 9);
    assert!(exact["next"].is_null(), "{exact}");

    // Past the end: empty, total kept.
    let past = api
        .ok(&format!(
            "artists/{DRAKE}/albums?include_groups=album&limit=10&offset=30"
        ))
        .await;
    assert_eq!((ids(&past).len(), past["total"].as_u64()), (0, Some(18)));
    assert!(past["next"].is_null());

    // Only the groups asked for; several groups list album first, then single.
    let singles = api
        .ok(&format!(
            "artists/{DRAKE}/albums?include_groups=single&limit=10"
        ))
        .await;
    assert_eq!(singles["total"], 1);
    let both = api
        .ok(&format!(
            "artists/{DRAKE}/albums?include_groups=single,album&limit=10&offset=10"
        ))
        .await;
    assert_eq!(both["total"], 19);
    assert_eq!(both["items"][8]["album_type"], "single");
    assert_eq!(
        api.get(&format!("artists/{DRAKE}/albums?include_groups=albums"))
            .await
            .status,
        400
    );

    // Extended mode: album_group is the group asked for, markets listed.
    api.fake.set_knobs(|k| k.mode = Mode::Ext);
    let ext = api
        .ok(&format!("artists/{DRAKE}/albums?include_groups=single"))
        .await;
    assert_eq!(ext["items"][0]["album_group"], "single");
    assert!(ext["items"][0]["available_markets"].is_array());

    let log = api.fake.requests();
    let page = log
        .iter()
        .find(|r| r.query.get("offset").map(String::as_str) == Some("10"))
        .unwrap();
    assert_eq!(page.endpoint(), "artist_albums");
    assert_eq!(
        page.query.get("include_groups").map(String::as_str),
        Some("album")
    );
    assert_eq!(page.query.get("market").map(String::as_str), Some("GB"));
}

#[tokio::test]
async fn empty_last_page_with_a_next() {
    let api = Api::sample(Knobs {
        empty_page_with_next: true,
        ..Knobs::dev()
    })
    .await;
    let mut url = format!("artists/{DRAKE}/albums?include_groups=album&limit=10");
    let mut seen = Vec::new();
    for _ in 0..10 {
        let page = api.ok(&url).await;
        assert!(page["next"].is_string(), "every page has a next: {page}");
        assert!(
            page["offset"].as_u64().unwrap() < page["total"].as_u64().unwrap(),
            "{page}"
        );
        if ids(&page).is_empty() {
            break;
        }
        seen.extend(ids(&page));
        url = page["next"].as_str().unwrap().to_owned();
    }
    assert_eq!(seen.len(), 18);
    assert_eq!(
        api.fake.count("artist_albums"),
        3,
        "two full pages, then the empty one"
    );
}

#[tokio::test]
async fn album_over_100_tracks_pages_through_tracks() {
    let api = Api::synthetic(Knobs::dev()).await;
    let album = api.fake.data().artists[0].albums[1].clone();
    let n = album.tracks.len();
    assert!((101..=130).contains(&n), "{n}");

    let body = api.ok(&format!("albums/{}?market=GB", album.id)).await;
    assert_eq!(body["total_tracks"], n);
    assert_eq!(
        (
            body["tracks"]["total"].as_u64(),
            body["tracks"]["limit"].as_u64()
        ),
        (Some(n as u64), Some(50))
    );
    assert_eq!(ids(&body["tracks"]).len(), 50);
    let next = body["tracks"]["next"].as_str().expect("a next page");
    assert!(
        next.contains(&format!("albums/{}/tracks", album.id)) && next.contains("market=GB"),
        "{next}"
    );
    assert_eq!(body["external_ids"]["upc"], album.upc.clone().unwrap());
    for gone in ["label", "popularity", "available_markets"] {
        assert!(body.get(gone).is_none(), "dev album has {gone}");
    }

    let mut got = ids(&body["tracks"]);
    let mut offset = 50;
    while offset < n {
        let page = api
            .ok(&format!(
                "albums/{}/tracks?market=GB&limit=50&offset={offset}",
                album.id
            ))
            .await;
        assert_eq!(page["total"], n);
        assert!(
            page["items"][0].get("external_ids").is_none(),
            "simplified tracks carry no external_ids"
        );
        got.extend(ids(&page));
        offset += 50;
    }
    assert_eq!(
        got,
        album
            .tracks
            .iter()
            .map(|t| t.id.clone())
            .collect::<Vec<_>>()
    );
    assert_eq!(api.fake.count("album_tracks"), 2);

    let default = api.ok(&format!("albums/{}/tracks", album.id)).await;
    assert_eq!(ids(&default).len(), 20);
    assert_eq!(
        api.get(&format!("albums/{}/tracks?limit=51", album.id))
            .await
            .status,
        400
    );

    api.fake.set_knobs(|k| k.mode = Mode::Ext);
    let ext = api.ok(&format!("albums/{}", album.id)).await;
    assert_eq!(ext["label"], album.label.clone().unwrap());
    assert_eq!(ext["popularity"], album.popularity);
}

#[tokio::test]
async fn search_limits_and_exact_matches_first() {
    let api = Api::synthetic(Knobs::dev()).await;
    let names = |page: &Value| -> Vec<String> {
        page["artists"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_owned())
            .collect()
    };
    // "artist 1" is exact for Artist 1, near for Artist 10 and 11.
    let hits = api
        .ok("search?q=artist%201&type=artist&market=GB&limit=10")
        .await;
    assert_eq!(names(&hits), ["Artist 1", "Artist 10", "Artist 11"]);
    assert_eq!(hits["artists"]["total"], 3);
    assert!(
        hits["artists"]["items"][0].get("popularity").is_none(),
        "dev artists lack popularity"
    );
    assert_eq!(
        api.ok("search?q=Artist&type=artist").await["artists"]["limit"],
        5
    );
    assert_eq!(
        api.get("search?q=Artist&type=artist&limit=11").await.status,
        400
    );
    assert_eq!(api.get("search?type=artist").await.status, 400);

    api.fake.set_knobs(|k| {
        k.mode = Mode::Ext;
        k.search_exact_last = true;
    });
    let ext = api.ok("search?type=artist&q=Artist%201&limit=50").await;
    assert_eq!(names(&ext), ["Artist 10", "Artist 11", "Artist 1"]);
    assert!(ext["artists"]["items"][0]["popularity"].is_number());
    assert_eq!(
        api.ok("search?q=Artist&type=artist").await["artists"]["limit"],
        20
    );
    assert_eq!(
        api.ok("search?q=nobody&type=artist").await["artists"]["total"],
        0
    );
}

// ---------------------------------------------------------------- fields per mode

#[tokio::test]
async fn artist_fields_and_genres_knob() {
    let api = Api::sample(Knobs::dev()).await;
    let rel = format!("artists/{DRAKE}");
    let dev = api.ok(&rel).await;
    assert!(
        dev.get("followers").is_none() && dev.get("popularity").is_none(),
        "{dev}"
    );
    assert_eq!(
        dev["genres"],
        serde_json::json!(["canadian hip hop", "rap"])
    );

    for (knob, expect) in [
        (GenresKnob::Null, Some(Value::Null)),
        (GenresKnob::Empty, Some(serde_json::json!([]))),
        (GenresKnob::Absent, None),
    ] {
        api.fake.set_knobs(|k| k.genres = knob);
        assert_eq!(
            api.ok(&rel).await.get("genres").cloned(),
            expect,
            "{knob:?}"
        );
        let album = api.ok("albums/cVT3Dhn63DfU4e5THS8MKw").await;
        assert_eq!(album.get("genres").cloned(), expect, "{knob:?}");
    }

    api.fake.set_knobs(|k| k.mode = Mode::Ext);
    let ext = api.ok(&rel).await;
    assert!(
        ext["followers"]["total"].is_u64() && ext["popularity"].is_u64(),
        "{ext}"
    );
}

#[tokio::test]
async fn batch_endpoints_are_dev_403_and_capped_in_ext() {
    let api = Api::synthetic(Knobs::dev()).await;
    let data = api.fake.data().clone();
    let album_ids: Vec<String> = data.albums().map(|a| a.id.clone()).take(21).collect();
    for rel in [
        format!("albums?ids={}", album_ids[0]),
        format!("artists?ids={}", data.artists[0].id),
        format!("tracks?ids={}", data.artists[0].albums[0].tracks[0].id),
    ] {
        let resp = api.get(&rel).await;
        assert_eq!(
            (resp.status, resp.message()),
            (403, "Forbidden".to_owned()),
            "{rel}"
        );
    }

    api.fake.set_knobs(|k| k.mode = Mode::Ext);
    assert_eq!(
        api.get(&format!("albums?ids={}", album_ids.join(",")))
            .await
            .status,
        400,
        "21 album ids"
    );
    let twenty = api
        .ok(&format!("albums?ids={}", album_ids[..20].join(",")))
        .await;
    assert_eq!(twenty["albums"].as_array().unwrap().len(), 20);
    let unknown = "0000000000000000000000";
    let artists = api
        .ok(&format!("artists?ids={},{unknown}", data.artists[1].id))
        .await;
    assert_eq!(artists["artists"][0]["name"], "Artist 1");
    assert!(artists["artists"][1].is_null());
    let track = &data.artists[0].albums[0].tracks[0];
    let tracks = api.ok(&format!("tracks?ids={}", track.id)).await;
    assert_eq!(
        tracks["tracks"][0]["external_ids"]["isrc"],
        track.isrc.clone().unwrap()
    );
    assert_eq!(api.fake.count("batch"), 7);
}

// ---------------------------------------------------------------- playlists

#[tokio::test]
async fn dev_playlists_are_metadata_only_unless_owned() {
    let api = Api::synthetic(Knobs::dev()).await;
    let (other, owned) = (
        api.fake.data().playlists[0].clone(),
        api.fake.data().playlists[1].clone(),
    );
    assert!(!other.owner_is_app && owned.owner_is_app);

    let meta = api.ok(&format!("playlists/{}?market=GB", other.id)).await;
    assert_eq!(meta["name"], other.name);
    assert!(
        meta.get("items").is_none() && meta.get("tracks").is_none(),
        "{meta}"
    );
    for path in ["items", "tracks"] {
        let resp = api
            .get(&format!("playlists/{}/{path}?limit=50", other.id))
            .await;
        assert_eq!(
            (resp.status, resp.message()),
            (403, "Forbidden".to_owned()),
            "{path}"
        );
    }

    let mine = api.ok(&format!("playlists/{}?market=GB", owned.id)).await;
    assert_eq!(ids(&mine["items"]).len(), owned.items.len());
    assert!(mine["items"]["items"][0]["item"]["id"].is_string());
    assert_eq!(api.fake.count("playlist_items"), 2);
}

#[tokio::test]
async fn ext_playlists_embed_100_then_page_in_either_key_shape() {
    let api = Api::synthetic(Knobs::ext()).await;
    let p = api.fake.data().playlists[0].clone();
    assert_eq!(p.items.len(), 130);

    let new = api.ok(&format!("playlists/{}?market=GB", p.id)).await;
    assert!(new.get("tracks").is_none());
    let page = &new["items"];
    assert_eq!(
        (page["total"].as_u64(), page["limit"].as_u64()),
        (Some(130), Some(100))
    );
    assert_eq!(page["items"].as_array().unwrap().len(), 100);
    assert!(page["next"].is_string());
    let entries = page["items"].as_array().unwrap();
    assert!(entries[0]["item"]["album"]["id"].is_string() && entries[0].get("track").is_none());
    assert!(entries[3]["item"].is_null(), "a null item: {}", entries[3]);
    assert_eq!(
        (
            entries[5]["is_local"].as_bool(),
            entries[5]["item"]["uri"]
                .as_str()
                .map(|u| u.starts_with("spotify:local:"))
        ),
        (Some(true), Some(true))
    );
    assert!(entries[5]["item"]["id"].is_null());
    assert_eq!(entries[7]["item"]["type"], "episode");
    let FakeItem::Track { track_id, added_at } = &p.items[0] else {
        panic!("item 0 is a track")
    };
    assert_eq!(
        (
            entries[0]["item"]["id"].as_str(),
            entries[0]["added_at"].as_str()
        ),
        (Some(track_id.as_str()), Some(added_at.as_str()))
    );

    // The rest through /items in pages of 50 (max 50).
    let rest = api
        .ok(&format!(
            "playlists/{}/items?market=GB&limit=50&offset=100",
            p.id
        ))
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 30);
    assert!(rest["next"].is_null());
    assert_eq!(
        api.get(&format!("playlists/{}/items?limit=51", p.id))
            .await
            .status,
        400
    );

    api.fake
        .set_knobs(|k| k.playlist_keys = PlaylistKeys::Legacy);
    let legacy = api.ok(&format!("playlists/{}", p.id)).await;
    assert!(legacy.get("items").is_none());
    assert!(
        legacy["tracks"]["items"][0]["track"]["id"].is_string()
            && legacy["tracks"]["items"][0].get("item").is_none()
    );
    assert!(
        legacy["tracks"]["href"]
            .as_str()
            .unwrap()
            .contains("/tracks?")
    );
    let legacy_page = api
        .ok(&format!("playlists/{}/tracks?offset=100&limit=50", p.id))
        .await;
    assert!(legacy_page["items"][0]["track"].is_object());

    api.fake.set_knobs(|k| k.playlist_keys = PlaylistKeys::Both);
    let both = api.ok(&format!("playlists/{}", p.id)).await;
    assert_eq!(
        both["items"]["items"][0]["item"],
        both["tracks"]["items"][0]["track"]
    );
    let both_page = api.ok(&format!("playlists/{}/items?limit=5", p.id)).await;
    assert_eq!(
        both_page["items"][0]["item"],
        both_page["items"][0]["track"]
    );
}

#[tokio::test]
async fn editorial_unknown_and_malformed_ids() {
    let api = Api::synthetic(Knobs::dev()).await;
    let listed = api.fake.data().editorial[0].clone();
    for mode in [Mode::Dev, Mode::Ext] {
        api.fake.set_knobs(|k| k.mode = mode);
        for id in ["37i9dQZF1DXcBWIGoYBM5M", listed.as_str()] {
            for suffix in ["", "/items"] {
                let resp = api.get(&format!("playlists/{id}{suffix}?market=GB")).await;
                assert_eq!(resp.status, 404, "{mode:?} {id}{suffix}");
            }
        }
    }
    let unknown = "0000000000000000000000";
    for rel in [
        format!("albums/{unknown}"),
        format!("artists/{unknown}"),
        format!("artists/{unknown}/albums"),
        format!("playlists/{unknown}"),
    ] {
        let resp = api.get(&rel).await;
        assert_eq!(
            (resp.status, resp.message()),
            (404, "Resource not found".to_owned()),
            "{rel}"
        );
    }
    for rel in [
        "albums/abc",
        "artists/3TVXtAsR1Inumwj472S9r4x",
        "playlists/not-an-id-at-all-000000",
        "albums/abc/tracks",
    ] {
        let resp = api.get(rel).await;
        assert_eq!(
            (resp.status, resp.message()),
            (400, "Invalid base62 id".to_owned()),
            "{rel}"
        );
    }
    assert_eq!(
        api.get("albums/cVT3Dhn63DfU4e5THS8MKw?market=from_token")
            .await
            .status,
        400
    );
}

// ---------------------------------------------------------------- rate limits and faults

#[tokio::test]
async fn quota_after_m_requests() {
    let api = Api::sample(Knobs {
        quota_after: Some(2),
        ..Knobs::dev()
    })
    .await;
    let rel = format!("artists/{DRAKE}");
    assert_eq!(api.get(&rel).await.status, 200);
    assert_eq!(
        api.get("albums/abc").await.status,
        400,
        "every /v1 request counts"
    );
    new_token(&api.fake).await; // token requests do not
    for _ in 0..2 {
        let resp = api.get(&rel).await;
        assert_eq!(resp.status, 429);
        assert_eq!(resp.retry_after.as_deref(), Some("48925"));
        assert_eq!(resp.json()["error"]["reason"], "QUOTA_EXCEEDED");
    }
}

#[tokio::test]
async fn burst_window_429_with_retry_after() {
    let api = Api::sample(Knobs {
        burst: Some((3, 30)),
        ..Knobs::dev()
    })
    .await;
    let rel = format!("artists/{DRAKE}");
    for _ in 0..3 {
        assert_eq!(api.get(&rel).await.status, 200);
    }
    let limited = api.get(&rel).await;
    assert_eq!(limited.status, 429);
    let wait: u64 = limited
        .retry_after
        .as_deref()
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((29..=30).contains(&wait), "{wait}");
    assert!(limited.json()["error"].get("reason").is_none());

    // A window of 0 s forgets at once; rejected requests never counted.
    api.fake.set_knobs(|k| k.burst = Some((3, 0)));
    assert_eq!(api.get(&rel).await.status, 200);
    api.fake.set_knobs(|k| k.burst = Some((0, 5)));
    assert_eq!(api.get(&rel).await.retry_after.as_deref(), Some("5"));
}

#[tokio::test]
async fn each_fault_hits_the_kth_request() {
    let faults = [
        (1, Fault::TooManyNoRetryAfter),
        (2, Fault::TooMany(7)),
        (3, Fault::Status(500)),
        (4, Fault::Status(502)),
        (5, Fault::Status(503)),
        (6, Fault::EmptyBody(502)),
        (7, Fault::Html(503)),
        (8, Fault::Truncated200),
    ];
    let api = Api::sample(Knobs {
        faults: faults.iter().cloned().collect(),
        ..Knobs::dev()
    })
    .await;
    let rel = "albums/cVT3Dhn63DfU4e5THS8MKw?market=GB";
    let mut got = Vec::new();
    for _ in 0..9 {
        got.push(api.get(rel).await);
    }

    assert_eq!((got[0].status, got[0].retry_after.as_deref()), (429, None));
    assert_eq!(
        (got[1].status, got[1].retry_after.as_deref()),
        (429, Some("7"))
    );
    for (i, status) in [(2, 500), (3, 502), (4, 503)] {
        assert_eq!(got[i].status, status);
        got[i].message();
    }
    assert_eq!((got[5].status, got[5].body.as_str()), (502, ""));
    assert_eq!(got[6].status, 503);
    assert_eq!(got[6].content_type.as_deref(), Some("text/html"));
    assert!(got[6].body.contains("<html>"));
    let whole = &got[8];
    assert_eq!(whole.status, 200);
    whole.json();
    assert_eq!(got[7].status, 200);
    assert!(
        serde_json::from_str::<Value>(&got[7].body).is_err(),
        "truncated"
    );
    assert_eq!(got[7].body.len(), whole.body.len() / 2);
    assert!(whole.body.starts_with(&got[7].body));

    let log: Vec<_> = api
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.endpoint() == "album")
        .collect();
    let logged: Vec<_> = log.iter().map(|r| r.fault.clone()).collect();
    let mut expected: Vec<_> = faults.iter().map(|(_, f)| Some(f.clone())).collect();
    expected.push(None);
    assert_eq!(logged, expected);
    assert_eq!(
        log.iter().map(|r| r.status).collect::<Vec<_>>(),
        [429, 429, 500, 502, 503, 502, 503, 200, 200]
    );
}

#[tokio::test]
async fn hang_outlasts_the_client_timeout() {
    let knobs = Knobs {
        faults: [(1, Fault::Hang)].into_iter().collect(),
        hang_for: Duration::from_secs(3),
        ..Knobs::dev()
    };
    let api = Api::sample(knobs).await;
    let rel = format!("artists/{DRAKE}");
    let impatient = client(Duration::from_millis(200));
    let url = format!("{}{rel}", api.fake.api_base_url());
    let err = impatient
        .get(&url)
        .bearer_auth(&api.token)
        .send()
        .await
        .expect_err("a timeout");
    assert!(err.is_timeout(), "{err}");
    assert_eq!(
        api.get(&rel).await.status,
        200,
        "the next request is answered at once"
    );
    assert_eq!(api.fake.requests()[1].fault, Some(Fault::Hang));
}

#[tokio::test]
async fn latency_delays_answers() {
    let api = Api::sample(Knobs {
        latency: (Duration::from_millis(60), Duration::from_millis(20)),
        ..Knobs::dev()
    })
    .await;
    let started = std::time::Instant::now();
    assert_eq!(api.get(&format!("artists/{DRAKE}")).await.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(60),
        "{:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------- data

#[tokio::test]
async fn from_sample_serves_the_sample() {
    let snapshot = sample_snapshot();
    let data = FakeData::from_sample(&snapshot);
    assert_eq!(data.artists.len(), 3);
    assert_eq!(data.albums().count(), 42);
    assert!(data.albums().any(|a| a.name == "VIEWS") && data.albums().any(|a| a.name == "Views"));
    assert_eq!(data.albums().filter(|a| a.group == "single").count(), 3);
    assert_eq!(data.playlists.len(), 2);
    let keys: BTreeSet<_> = data.playlists.iter().map(|p| p.keys).collect();
    assert_eq!(
        keys,
        BTreeSet::from([Some(PlaylistKeys::New), Some(PlaylistKeys::Legacy)])
    );

    // Every album, fetched the way the extractor does, has the sample's durations.
    let api = Api::start(data.clone(), Knobs::dev()).await;
    let mut extra_pages = 0;
    for album in data.albums() {
        let body = api.ok(&format!("albums/{}?market=GB", album.id)).await;
        let mut durations: Vec<u64> = body["tracks"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["duration_ms"].as_u64().unwrap())
            .collect();
        let total = body["tracks"]["total"].as_u64().unwrap() as usize;
        while durations.len() < total {
            let page = api
                .ok(&format!(
                    "albums/{}/tracks?market=GB&limit=50&offset={}",
                    album.id,
                    durations.len()
                ))
                .await;
            durations.extend(
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t["duration_ms"].as_u64().unwrap()),
            );
            extra_pages += 1;
        }
        let file = ["json", "json.gz"]
            .iter()
            .map(|ext| snapshot.join(format!("albums/{}.{ext}", album.id)))
            .find(|p| p.exists())
            .expect("the album's sample file");
        let sample = read_raw_json(&file);
        let expected: Vec<u64> = sample["tracks"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["duration_ms"].as_u64().unwrap())
            .collect();
        assert_eq!(durations, expected, "{} ({})", album.name, album.id);
        for key in [
            "name",
            "release_date",
            "release_date_precision",
            "album_type",
            "total_tracks",
            "external_ids",
            "copyrights",
        ] {
            assert_eq!(body[key], sample[key], "{key} of {}", album.name);
        }
    }
    assert_eq!(extra_pages, 3, "the sample's three albums over 50 tracks");

    // The playlists come back in their own shapes, items included (owned).
    for p in &data.playlists {
        let body = api.ok(&format!("playlists/{}?market=GB", p.id)).await;
        let sample = read_raw_json(&snapshot.join(format!("playlists/{}.json", p.id)));
        let (key, inner) = if sample.get("items").is_some() {
            ("items", "item")
        } else {
            ("tracks", "track")
        };
        let shape = |v: &Value| -> Vec<(Option<String>, bool, Option<String>)> {
            v[key]["items"]
                .as_array()
                .unwrap_or_else(|| panic!("{} has {key}.items: {v}", p.id))
                .iter()
                .map(|e| {
                    let t = &e[inner];
                    let id = (t["type"] == "track")
                        .then(|| t["id"].as_str().map(str::to_owned))
                        .flatten();
                    (
                        t["type"].as_str().map(str::to_owned),
                        e["is_local"] == true,
                        id,
                    )
                })
                .collect()
        };
        assert_eq!(shape(&body), shape(&sample), "playlist {}", p.id);
    }
}

#[test]
fn synthetic_is_deterministic_and_has_the_edge_cases() {
    let a = FakeData::synthetic(4, 25, 42);
    assert_eq!(a.artists, FakeData::synthetic(4, 25, 42).artists);
    assert_ne!(a.artists, FakeData::synthetic(4, 25, 43).artists);
    assert_eq!(a.albums().count(), 100);

    let all_ids: Vec<&String> = a
        .artists
        .iter()
        .map(|x| &x.id)
        .chain(a.albums().map(|x| &x.id))
        .chain(a.albums().flat_map(|x| x.tracks.iter().map(|t| &t.id)))
        .collect();
    assert!(all_ids.iter().all(|id| is_base62_id(id)));
    assert_eq!(
        all_ids.iter().collect::<BTreeSet<_>>().len(),
        all_ids.len(),
        "ids are unique"
    );

    let lengths: Vec<usize> = a.albums().map(|x| x.tracks.len()).collect();
    assert!(lengths.iter().any(|&n| (51..=100).contains(&n)));
    assert!(lengths.iter().any(|&n| n > 100 && n <= 130));
    let precisions: BTreeSet<_> = a
        .albums()
        .map(|x| x.release_date_precision.as_str())
        .collect();
    assert_eq!(precisions, BTreeSet::from(["day", "month", "year"]));
    assert!(a.albums().any(|x| x.release_date == "0000"));
    let groups: BTreeSet<_> = a.albums().map(|x| x.group.as_str()).collect();
    assert_eq!(
        groups,
        BTreeSet::from(["album", "appears_on", "compilation", "single"])
    );
    assert!(
        a.artists
            .iter()
            .all(|x| x.albums.iter().filter(|al| al.group == "album").count() > 10)
    );
    let items = &a.playlists[0].items;
    assert!(
        items.contains(&FakeItem::Null)
            && items.contains(&FakeItem::Local)
            && items.contains(&FakeItem::Episode)
    );
    assert!(!a.editorial.is_empty());
}

#[tokio::test]
async fn rspotify_gets_a_token_and_raw_bodies() {
    use rspotify::clients::BaseClient as _;

    let fake = FakeSpotify::start(FakeData::from_sample(&sample_snapshot()), Knobs::dev()).await;
    let config = rspotify::Config {
        api_base_url: fake.api_base_url(),
        auth_base_url: fake.auth_base_url(),
        ..Default::default()
    };
    let spotify = rspotify::ClientCredsSpotify::with_config(
        rspotify::Credentials::new(CLIENT_ID, CLIENT_SECRET),
        config,
    );
    spotify
        .request_token()
        .await
        .expect("a token from the fake");
    let query = std::collections::HashMap::from([
        ("market", "GB"),
        ("include_groups", "album"),
        ("limit", "10"),
    ]);
    let body = spotify
        .api_get(&format!("artists/{DRAKE}/albums"), &query)
        .await
        .expect("a raw body");
    let page: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(page["total"], 18);

    let wrong = rspotify::ClientCredsSpotify::with_config(
        rspotify::Credentials::new(CLIENT_ID, "wrong"),
        rspotify::Config {
            auth_base_url: fake.auth_base_url(),
            ..Default::default()
        },
    );
    assert!(wrong.request_token().await.is_err());
    let log = fake.requests();
    assert_eq!(
        log.iter()
            .map(|r| (r.endpoint(), r.status))
            .collect::<Vec<_>>(),
        [("token", 200), ("artist_albums", 200), ("token", 400)]
    );
    assert_eq!(log[1].query.get("limit").map(String::as_str), Some("10"));
}

/// Tests run the binary with a blocking `Command::output()` from a
/// current-thread runtime: the fake must answer anyway (its own thread).
#[tokio::test(flavor = "current_thread")]
async fn answers_while_the_test_thread_blocks() {
    use std::io::{Read as _, Write as _};

    let fake = FakeSpotify::start(FakeData::default(), Knobs::dev()).await;
    let addr = fake.origin().trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET /v1/search HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("an answer while this runtime is blocked");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(
        answer.contains("application/json; charset=utf-8"),
        "{answer}"
    );
}
