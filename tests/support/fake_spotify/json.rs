//! The fake's JSON bodies, in the shapes of SPOTIFY_API.md §4: one builder
//! per Spotify object, told the mode, so development-mode answers lack the
//! fields Spotify removed (recursively: an album inside a playlist track is
//! stripped too) and keep `external_ids`.

use serde_json::{Map, Value, json};

use super::data::{FakeAlbum, FakeArtist, FakeItem, FakePlaylist, FakeTrack, fnv};
use super::{GenresKnob, PlaylistKeys};

const OPEN: &str = "https://open.spotify.com";
/// Markets listed in extended mode.
const MARKETS: [&str; 6] = ["CA", "DE", "FR", "GB", "JP", "US"];

/// How to render: the fake's origin (`http://127.0.0.1:PORT`), the mode and
/// the request's market.
pub(super) struct Render<'a> {
    pub origin: &'a str,
    pub dev: bool,
    pub market: Option<&'a str>,
    pub genres: GenresKnob,
}

/// Looks a track up by id: its album and itself.
pub(super) type Find<'d> = dyn Fn(&str) -> Option<(&'d FakeAlbum, &'d FakeTrack)> + 'd;

/// A paging object's position.
pub(super) struct PageAt<'a> {
    /// Path from the origin, e.g. `/v1/albums/ID/tracks`.
    pub path: &'a str,
    /// The request's other query parameters, in their order.
    pub keep: &'a [(String, String)],
    pub offset: usize,
    pub limit: usize,
}

/// `origin + path ? keep & offset & limit`.
pub(super) fn page_url(origin: &str, at: &PageAt<'_>, offset: usize) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in at.keep {
        q.append_pair(k, v);
    }
    q.append_pair("offset", &offset.to_string());
    q.append_pair("limit", &at.limit.to_string());
    format!("{origin}{}?{}", at.path, q.finish())
}

/// A complete paging object over `all` (sliced here). `total` may differ
/// from `all.len()` (the empty-page knob); `force_next` keeps `next`
/// non-null.
pub(super) fn paging<T>(
    origin: &str,
    at: &PageAt<'_>,
    all: &[T],
    total: usize,
    force_next: bool,
    render: impl Fn(usize, &T) -> Value,
) -> Value {
    let end = all.len().min(at.offset.saturating_add(at.limit));
    let items: Vec<Value> = if at.offset < end {
        (at.offset..end).map(|i| render(i, &all[i])).collect()
    } else {
        Vec::new()
    };
    let next = (force_next || at.offset + at.limit < total)
        .then(|| page_url(origin, at, at.offset + at.limit));
    let previous =
        (at.offset > 0).then(|| page_url(origin, at, at.offset.saturating_sub(at.limit)));
    json!({
        "href": page_url(origin, at, at.offset),
        "items": items,
        "limit": at.limit,
        "next": next,
        "offset": at.offset,
        "previous": previous,
        "total": total,
    })
}

fn images(kind: &str, id: &str) -> Value {
    let sizes: [(&str, u32); 3] = if kind == "artist" {
        [
            ("ab6761610000e5eb", 640),
            ("ab67616100005174", 320),
            ("ab6761610000f178", 160),
        ]
    } else {
        [
            ("ab67616d0000b273", 640),
            ("ab67616d00001e02", 300),
            ("ab67616d00004851", 64),
        ]
    };
    let h = format!("{:016x}{:08x}", fnv(id), fnv(kind) as u32);
    Value::Array(
        sizes
            .iter()
            .map(|(prefix, px)| json!({"height": px, "url": format!("https://i.scdn.co/image/{prefix}{h}"), "width": px}))
            .collect(),
    )
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!("built as an object"),
    }
}

impl Render<'_> {
    fn href(&self, kind: &str, id: &str) -> String {
        format!("{}/v1/{kind}s/{id}", self.origin)
    }

    fn genres(&self, m: &mut Map<String, Value>, genres: &[String]) {
        match self.genres {
            GenresKnob::Absent => {}
            GenresKnob::Null => {
                m.insert("genres".into(), Value::Null);
            }
            GenresKnob::Empty => {
                m.insert("genres".into(), json!([]));
            }
            GenresKnob::Present => {
                m.insert("genres".into(), json!(genres));
            }
        }
    }

    /// A simplified artist (inside albums and tracks).
    pub fn artist_ref(&self, id: &str, name: &str) -> Value {
        json!({
            "external_urls": {"spotify": format!("{OPEN}/artist/{id}")},
            "href": self.href("artist", id), "id": id, "name": name,
            "type": "artist", "uri": format!("spotify:artist:{id}"),
        })
    }

    fn artist_refs(&self, artists: &[(String, String)]) -> Value {
        Value::Array(
            artists
                .iter()
                .map(|(id, name)| self.artist_ref(id, name))
                .collect(),
        )
    }

    /// GET /artists/{id}, search results, `artists?ids=`.
    pub fn artist(&self, a: &FakeArtist) -> Value {
        let mut m = obj(self.artist_ref(&a.id, &a.name));
        m.insert("images".into(), images("artist", &a.id));
        self.genres(&mut m, &a.genres);
        if !self.dev {
            m.insert(
                "followers".into(),
                json!({"href": null, "total": a.followers}),
            );
            m.insert("popularity".into(), json!(a.popularity));
        }
        Value::Object(m)
    }

    /// A simplified album; `group` is the listing's include group (shown
    /// as `album_group` in extended mode only).
    pub fn album_simple(&self, al: &FakeAlbum, group: Option<&str>) -> Value {
        let mut m = obj(json!({
            "album_type": al.album_type,
            "total_tracks": al.tracks.len(),
            "external_urls": {"spotify": format!("{OPEN}/album/{}", al.id)},
            "href": self.href("album", &al.id),
            "id": al.id,
            "images": images("album", &al.id),
            "name": al.name,
            "release_date": al.release_date,
            "release_date_precision": al.release_date_precision,
            "type": "album",
            "uri": format!("spotify:album:{}", al.id),
            "artists": self.artist_refs(&al.artists),
        }));
        if self.market.is_some() {
            m.insert("is_playable".into(), json!(true));
        }
        if !self.dev {
            m.insert("available_markets".into(), json!(MARKETS));
            if let Some(g) = group {
                m.insert("album_group".into(), json!(g));
            }
        }
        Value::Object(m)
    }

    /// GET /albums/{id}: the first 50 tracks embedded.
    pub fn album(&self, al: &FakeAlbum) -> Value {
        let mut m = obj(self.album_simple(al, None));
        let year = match al.release_date.get(..4) {
            Some("0000") | None => String::new(),
            Some(y) => format!("{y} "),
        };
        let label = al.label.clone().unwrap_or_default();
        m.insert(
            "copyrights".into(),
            json!([{"text": format!("© {year}{label}"), "type": "C"}, {"text": format!("℗ {year}{label}"), "type": "P"}]),
        );
        m.insert(
            "external_ids".into(),
            match &al.upc {
                Some(upc) => json!({"upc": upc}),
                None => json!({}),
            },
        );
        self.genres(&mut m, &[]);
        if !self.dev {
            m.insert("label".into(), json!(al.label));
            m.insert("popularity".into(), json!(al.popularity));
        }
        let path = format!("/v1/albums/{}/tracks", al.id);
        let keep = self.market_param();
        let at = PageAt {
            path: &path,
            keep: &keep,
            offset: 0,
            limit: 50,
        };
        m.insert(
            "tracks".into(),
            paging(
                self.origin,
                &at,
                &al.tracks,
                al.tracks.len(),
                false,
                |_, t| self.track_simple(t),
            ),
        );
        Value::Object(m)
    }

    /// `[("market", M)]` when the request named one.
    pub fn market_param(&self) -> Vec<(String, String)> {
        self.market
            .map(|m| vec![("market".to_owned(), m.to_owned())])
            .unwrap_or_default()
    }

    /// A simplified track (album track lists): no `external_ids`.
    pub fn track_simple(&self, t: &FakeTrack) -> Value {
        let mut m = obj(json!({
            "artists": self.artist_refs(&t.artists),
            "disc_number": t.disc_number,
            "duration_ms": t.duration_ms,
            "explicit": t.explicit,
            "external_urls": {"spotify": format!("{OPEN}/track/{}", t.id)},
            "href": self.href("track", &t.id),
            "id": t.id,
            "name": t.name,
            "preview_url": null,
            "track_number": t.track_number,
            "type": "track",
            "uri": format!("spotify:track:{}", t.id),
            "is_local": false,
        }));
        if self.market.is_some() {
            m.insert("is_playable".into(), json!(true));
        }
        if !self.dev {
            m.insert("available_markets".into(), json!(MARKETS));
        }
        Value::Object(m)
    }

    /// A full track (playlist items, `tracks?ids=`): with its album and ISRC.
    pub fn track(&self, t: &FakeTrack, al: &FakeAlbum) -> Value {
        let mut m = obj(self.track_simple(t));
        m.insert("album".into(), self.album_simple(al, None));
        m.insert(
            "external_ids".into(),
            match &t.isrc {
                Some(isrc) => json!({"isrc": isrc}),
                None => json!({}),
            },
        );
        m.insert("episode".into(), json!(false));
        m.insert("track".into(), json!(true));
        if !self.dev {
            m.insert("popularity".into(), json!(al.popularity));
        }
        Value::Object(m)
    }

    fn local_track(&self, playlist_id: &str, position: usize) -> Value {
        let name = format!("Garage Demo {position}");
        json!({
            "album": {"album_type": null, "artists": [], "available_markets": [], "external_urls": {},
                      "href": null, "id": null, "images": [], "name": "Basement Tapes",
                      "release_date": null, "release_date_precision": null, "type": "album", "uri": null},
            "artists": [{"external_urls": {}, "href": null, "id": null, "name": "Local Band", "type": "artist", "uri": null}],
            "disc_number": 0, "duration_ms": 201_000, "explicit": false, "external_ids": {},
            "external_urls": {}, "href": null, "id": null, "is_local": true, "name": name,
            "popularity": 0, "preview_url": null, "track_number": 0, "type": "track",
            "uri": format!("spotify:local:Local+Band:Basement+Tapes:Garage+Demo+{position}:{}", fnv(playlist_id) % 300),
        })
    }

    fn episode(&self, playlist_id: &str, position: usize) -> Value {
        let id = super::data::random_id(&mut fastrand::Rng::with_seed(
            fnv(playlist_id) ^ position as u64,
        ));
        json!({
            "audio_preview_url": null, "description": "A made-up podcast episode.",
            "duration_ms": 2_712_000, "episode": true, "explicit": false,
            "external_urls": {"spotify": format!("{OPEN}/episode/{id}")},
            "href": self.href("episode", &id), "id": id, "images": [],
            "is_externally_hosted": false, "is_playable": true, "language": "en", "languages": ["en"],
            "name": "Why Albums Got Longer", "release_date": "2026-02-19", "release_date_precision": "day",
            "show": {"id": "FakeShow00000000000000", "name": "Album Talk", "type": "show"},
            "track": false, "type": "episode", "uri": format!("spotify:episode:{id}"),
        })
    }

    fn owner(owned: bool) -> Value {
        let (id, display) = if owned {
            ("spotifylakesample", "spotify-lake sample")
        } else {
            ("someoneelse", "Someone Else")
        };
        json!({
            "display_name": display,
            "external_urls": {"spotify": format!("{OPEN}/user/{id}")},
            "href": format!("https://api.spotify.com/v1/users/{id}"),
            "id": id, "type": "user", "uri": format!("spotify:user:{id}"),
        })
    }

    /// One playlist entry at `position`, with `item`, `track` or both.
    pub fn playlist_item<'d>(
        &self,
        p: &FakePlaylist,
        position: usize,
        item: &FakeItem,
        keys: PlaylistKeys,
        find: &Find<'d>,
    ) -> Value {
        let mut added_by = obj(Self::owner(p.owner_is_app));
        added_by.remove("display_name");
        let (added_at, is_local, inner) = match item {
            FakeItem::Track { track_id, added_at } => {
                let (al, t) = find(track_id).expect("playlist tracks were checked at start");
                (added_at.clone(), false, self.track(t, al))
            }
            FakeItem::Null => ("2026-01-01T00:00:00Z".to_owned(), false, Value::Null),
            FakeItem::Local => (
                "2026-01-02T00:00:00Z".to_owned(),
                true,
                self.local_track(&p.id, position),
            ),
            FakeItem::Episode => (
                "2026-01-03T00:00:00Z".to_owned(),
                false,
                self.episode(&p.id, position),
            ),
        };
        let mut m = obj(json!({
            "added_at": added_at, "added_by": added_by, "is_local": is_local,
            "primary_color": null, "video_thumbnail": {"url": null},
        }));
        if keys != PlaylistKeys::Legacy {
            m.insert("item".into(), inner.clone());
        }
        if keys != PlaylistKeys::New {
            m.insert("track".into(), inner);
        }
        Value::Object(m)
    }

    /// GET /playlists/{id}: metadata, plus the first 100 entries under
    /// `items` and/or `tracks` when `with_items`.
    pub fn playlist<'d>(
        &self,
        p: &FakePlaylist,
        keys: PlaylistKeys,
        with_items: bool,
        find: &Find<'d>,
    ) -> Value {
        let h = fnv(&p.id);
        let mut m = obj(json!({
            "collaborative": false,
            "description": format!("{} (fake)", p.name),
            "external_urls": {"spotify": format!("{OPEN}/playlist/{}", p.id)},
            "href": self.href("playlist", &p.id),
            "id": p.id,
            "images": [{"height": null, "url": format!("https://mosaic.scdn.co/640/{h:016x}{h:016x}"), "width": null}],
            "name": p.name,
            "owner": Self::owner(p.owner_is_app),
            "primary_color": null,
            "public": !p.owner_is_app,
            "snapshot_id": super::data::random_id(&mut fastrand::Rng::with_seed(h)),
            "type": "playlist",
            "uri": format!("spotify:playlist:{}", p.id),
        }));
        if !self.dev {
            m.insert(
                "followers".into(),
                json!({"href": null, "total": h % 10_000}),
            );
        }
        if with_items {
            let keep = self.market_param();
            for (key, wanted) in [
                ("items", keys != PlaylistKeys::Legacy),
                ("tracks", keys != PlaylistKeys::New),
            ] {
                if wanted {
                    let path = format!("/v1/playlists/{}/{key}", p.id);
                    let at = PageAt {
                        path: &path,
                        keep: &keep,
                        offset: 0,
                        limit: 100,
                    };
                    let page = paging(
                        self.origin,
                        &at,
                        &p.items,
                        p.items.len(),
                        false,
                        |i, item| self.playlist_item(p, i, item, keys, find),
                    );
                    m.insert(key.into(), page);
                }
            }
        }
        Value::Object(m)
    }
}
