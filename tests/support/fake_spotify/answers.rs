//! The real answers of the `/v1` endpoints (after the knobs let a request
//! through): search, artist, artist albums, album, album tracks, playlist,
//! playlist items, batch GETs; limits per mode, ids, markets.

use std::collections::BTreeMap;

use axum::http::Method;
use serde_json::{Value, json};

use super::json::{PageAt, Render, paging};
use super::server::{Reply, Shared};
use super::{FakeAlbum, FakeArtist, Knobs, Mode};

impl Shared {
    /// The real answer of a `/v1` request.
    pub(super) fn answer(
        &self,
        method: &Method,
        path: &str,
        pairs: &[(String, String)],
        q: &BTreeMap<String, String>,
        knobs: &Knobs,
    ) -> Reply {
        if method != Method::GET {
            return Reply::error(405, "Method not allowed");
        }
        let market = q.get("market").map(String::as_str);
        if market.is_some_and(|m| m.len() != 2 || !m.bytes().all(|b| b.is_ascii_alphabetic())) {
            return Reply::error(400, "Invalid market code");
        }
        let r = Render {
            origin: &self.origin,
            dev: knobs.mode == Mode::Dev,
            market,
            genres: knobs.genres,
        };
        let keep: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "offset" && k != "limit")
            .cloned()
            .collect();
        let segs: Vec<&str> = path
            .trim_start_matches("/v1")
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let result = match segs.as_slice() {
            ["search"] => self.search(&r, path, &keep, q, knobs),
            ["artists", id] => valid(id).and_then(|()| {
                let a = self.artist(id).ok_or_else(not_found)?;
                Ok(r.artist(a))
            }),
            ["artists", id, "albums"] => {
                valid(id).and_then(|()| self.artist_albums(&r, path, &keep, q, knobs, id))
            }
            ["albums", id] => valid(id).and_then(|()| {
                let al = self.album(id).ok_or_else(not_found)?;
                Ok(r.album(al))
            }),
            ["albums", id, "tracks"] => valid(id).and_then(|()| {
                let al = self.album(id).ok_or_else(not_found)?;
                let (offset, limit) = page_params(q, 20, 50)?;
                let at = PageAt {
                    path,
                    keep: &keep,
                    offset,
                    limit,
                };
                Ok(paging(
                    &self.origin,
                    &at,
                    &al.tracks,
                    al.tracks.len(),
                    false,
                    |_, t| r.track_simple(t),
                ))
            }),
            ["tracks", id] => valid(id).and_then(|()| {
                let (al, t) = self.track(id).ok_or_else(not_found)?;
                Ok(r.track(t, al))
            }),
            ["playlists", id] => self.playlist_answer(&r, knobs, id),
            ["playlists", id, which @ ("items" | "tracks")] => {
                self.playlist_items(&r, path, &keep, q, knobs, id, *which == "tracks")
            }
            [kind @ ("albums" | "artists" | "tracks")] => self.batch(&r, q, knobs, kind),
            _ => Err(Reply::error(404, "Service not found")),
        };
        match result {
            Ok(body) => Reply::json(200, &body),
            Err(reply) => reply,
        }
    }

    fn search(
        &self,
        r: &Render<'_>,
        path: &str,
        keep: &[(String, String)],
        q: &BTreeMap<String, String>,
        knobs: &Knobs,
    ) -> Result<Value, Reply> {
        let needle = q.get("q").map(|s| s.trim()).unwrap_or_default();
        if needle.is_empty() {
            return Err(Reply::error(400, "No search query"));
        }
        let Some(types) = q.get("type") else {
            return Err(Reply::error(400, "Missing parameter type"));
        };
        if !types.split(',').any(|t| t.trim() == "artist") {
            return Err(Reply::error(
                400,
                "Unsupported type (this fake serves artist searches)",
            ));
        }
        let (default, max) = if knobs.mode == Mode::Dev {
            (5, 10)
        } else {
            (20, 50)
        };
        let (offset, limit) = page_params(q, default, max)?;
        let needle = needle
            .strip_prefix("artist:")
            .unwrap_or(needle)
            .trim_matches('"')
            .to_lowercase();
        let (mut exact, near): (Vec<&FakeArtist>, Vec<&FakeArtist>) = self
            .data
            .artists
            .iter()
            .filter(|a| a.name.to_lowercase().contains(&needle))
            .partition(|a| a.name.to_lowercase() == needle);
        let hits = if knobs.search_exact_last {
            let mut hits = near;
            hits.append(&mut exact);
            hits
        } else {
            exact.extend(near);
            exact
        };
        let at = PageAt {
            path,
            keep,
            offset,
            limit,
        };
        Ok(
            json!({"artists": paging(&self.origin, &at, &hits, hits.len(), false, |_, a| r.artist(a))}),
        )
    }

    fn artist_albums(
        &self,
        r: &Render<'_>,
        path: &str,
        keep: &[(String, String)],
        q: &BTreeMap<String, String>,
        knobs: &Knobs,
        id: &str,
    ) -> Result<Value, Reply> {
        const GROUPS: [&str; 4] = ["album", "single", "compilation", "appears_on"];
        let artist = self.artist(id).ok_or_else(not_found)?;
        let asked: Vec<&str> = match q.get("include_groups").map(|g| g.trim()) {
            None | Some("") => GROUPS.to_vec(),
            Some(list) => {
                let asked: Vec<&str> = list.split(',').map(str::trim).collect();
                if let Some(bad) = asked.iter().find(|g| !GROUPS.contains(g)) {
                    return Err(Reply::error(
                        400,
                        &format!("Invalid include_groups value: {bad}"),
                    ));
                }
                asked
            }
        };
        let (default, max) = match knobs.mode {
            Mode::Dev | Mode::ExtCapped10 => (5, 10),
            Mode::Ext => (20, 50),
        };
        let (offset, limit) = page_params(q, default, max)?;
        let listed: Vec<&FakeAlbum> = GROUPS
            .iter()
            .filter(|g| asked.contains(g))
            .flat_map(|g| artist.albums.iter().filter(move |al| al.group == *g))
            .collect();
        let total = if knobs.empty_page_with_next {
            listed.len().div_ceil(limit) * limit + 1
        } else {
            listed.len()
        };
        let at = PageAt {
            path,
            keep,
            offset,
            limit,
        };
        Ok(paging(
            &self.origin,
            &at,
            &listed,
            total,
            knobs.empty_page_with_next,
            |_, al| r.album_simple(al, Some(&al.group)),
        ))
    }

    fn playlist_answer(&self, r: &Render<'_>, knobs: &Knobs, id: &str) -> Result<Value, Reply> {
        valid(id)?;
        if self.is_editorial(id) {
            return Err(not_found());
        }
        let p = self.playlist(id).ok_or_else(not_found)?;
        let keys = p.keys.unwrap_or(knobs.playlist_keys);
        let with_items = !r.dev || p.owner_is_app;
        Ok(r.playlist(p, keys, with_items, &|tid| self.track(tid)))
    }

    #[allow(clippy::too_many_arguments)]
    fn playlist_items(
        &self,
        r: &Render<'_>,
        path: &str,
        keep: &[(String, String)],
        q: &BTreeMap<String, String>,
        knobs: &Knobs,
        id: &str,
        legacy_path: bool,
    ) -> Result<Value, Reply> {
        valid(id)?;
        if self.is_editorial(id) {
            return Err(not_found());
        }
        let p = self.playlist(id).ok_or_else(not_found)?;
        if r.dev && (legacy_path || !p.owner_is_app) {
            return Err(Reply::error(403, "Forbidden"));
        }
        let (offset, limit) = page_params(q, 20, 50)?;
        let keys = p.keys.unwrap_or(knobs.playlist_keys);
        let at = PageAt {
            path,
            keep,
            offset,
            limit,
        };
        let find = |tid: &str| self.track(tid);
        Ok(paging(
            &self.origin,
            &at,
            &p.items,
            p.items.len(),
            false,
            |i, item| r.playlist_item(p, i, item, keys, &find),
        ))
    }

    fn batch(
        &self,
        r: &Render<'_>,
        q: &BTreeMap<String, String>,
        knobs: &Knobs,
        kind: &str,
    ) -> Result<Value, Reply> {
        if knobs.mode == Mode::Dev {
            return Err(Reply::error(403, "Forbidden"));
        }
        let cap = if kind == "albums" { 20 } else { 50 };
        let ids: Vec<&str> = q
            .get("ids")
            .map(|s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if ids.is_empty() {
            return Err(Reply::error(400, "invalid id"));
        }
        if ids.len() > cap {
            return Err(Reply::error(400, "Too many ids requested"));
        }
        let mut out = Vec::new();
        for id in ids {
            valid(id)?;
            out.push(match kind {
                "albums" => self.album(id).map(|al| r.album(al)),
                "artists" => self.artist(id).map(|a| r.artist(a)),
                _ => self.track(id).map(|(al, t)| r.track(t, al)),
            });
        }
        Ok(json!({ kind: out }))
    }
}

fn not_found() -> Reply {
    Reply::error(404, "Resource not found")
}

/// A Spotify id is 22 base-62 characters.
fn valid(id: &str) -> Result<(), Reply> {
    if id.len() == 22 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(Reply::error(400, "Invalid base62 id"))
    }
}

/// `(offset, limit)`: limit absent → `default`; not an integer, below 1 or
/// above `max` → 400 "Invalid limit" (never clamped). Offset absent → 0;
/// not a non-negative integer → 400 "Invalid offset".
fn page_params(
    q: &BTreeMap<String, String>,
    default: usize,
    max: usize,
) -> Result<(usize, usize), Reply> {
    let limit = match q.get("limit") {
        None => default,
        Some(s) => match s.trim().parse::<i64>() {
            Ok(n) if n >= 1 && n as usize <= max => n as usize,
            _ => return Err(Reply::error(400, "Invalid limit")),
        },
    };
    let offset = match q.get("offset") {
        None => 0,
        Some(s) => s
            .trim()
            .parse::<usize>()
            .map_err(|_| Reply::error(400, "Invalid offset"))?,
    };
    Ok((offset, limit))
}
