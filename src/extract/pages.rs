//! Paged series: an artist's album pages, at the largest page size the API
//! accepts (probed once per run: development mode refuses more than 10
//! with a 400), and the item pages of an album's tracks or a playlist past
//! the first page, spliced into the first body ([`complete_items`]) so the
//! raw zone holds one complete object per file.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use serde::Deserialize;
use serde_json::value::RawValue;

use super::ExtractError;
use super::earlier::Earlier;
use super::session::{Answer, Endpoint, Refusal, Session};
use super::tally::Tally;
use crate::ids::SpotifyId;

/// The largest artist-albums page size any mode accepts.
const MAX_ALBUM_PAGE: u32 = 50;
/// The development-mode page size (SPOTIFY_API.md §3).
const DEV_ALBUM_PAGE: u32 = 10;
/// Track and playlist-item pages.
pub(super) const ITEM_PAGE: u32 = 50;
/// Pages per series at most, whatever `total` says.
const MAX_PAGES: u32 = 500;

#[derive(Deserialize)]
struct Page {
    items: Option<Vec<Box<RawValue>>>,
    total: Option<i64>,
    next: Option<String>,
}

/// The artist-albums page size of the run.
pub(super) struct PageSize {
    limit: AtomicU32,
    /// Whether a page of `limit` was accepted; until then one series at a
    /// time probes it, so the run pays for one refused page at most.
    known: AtomicBool,
    probe: tokio::sync::Mutex<()>,
}

impl PageSize {
    /// The size an earlier manifest of the day or the previous one
    /// recorded, else the largest; 10 or less needs no probe.
    pub fn new(earlier: &Earlier) -> Self {
        let limit = earlier
            .manifests()
            .find_map(|m| m.album_page_limit)
            .filter(|l| (1..=MAX_ALBUM_PAGE).contains(l))
            .unwrap_or(MAX_ALBUM_PAGE);
        PageSize {
            limit: AtomicU32::new(limit),
            known: AtomicBool::new(limit <= DEV_ALBUM_PAGE),
            probe: tokio::sync::Mutex::new(()),
        }
    }

    /// The page size to use now.
    pub fn get(&self) -> u32 {
        self.limit.load(Ordering::SeqCst)
    }

    /// Every page of an artist's albums in one include group; a refused
    /// page (not a 403, which is fatal) ends the series with a skip.
    pub async fn album_series(
        &self,
        session: &Session<'_>,
        tally: &Tally,
        artist: &SpotifyId,
        group: &str,
    ) -> Result<Vec<Box<RawValue>>, ExtractError> {
        let path = format!("artists/{artist}/albums");
        let mut items = Vec::new();
        let mut offset: u64 = 0;
        for _ in 0..MAX_PAGES {
            let probing = if self.known.load(Ordering::SeqCst) {
                None
            } else {
                let guard = self.probe.lock().await;
                (!self.known.load(Ordering::SeqCst)).then_some(guard)
            };
            let limit = self.get();
            let q = [
                ("include_groups", group.to_owned()),
                ("limit", limit.to_string()),
                ("offset", offset.to_string()),
            ];
            let answer = session
                .get::<Page>(Endpoint::ArtistAlbums, &path, &q)
                .await?;
            if probing.is_some() {
                // Accepted, or refused and stepped down to 10: known either way.
                self.known.store(true, Ordering::SeqCst);
            }
            drop(probing);
            let page = match answer {
                Answer::Ok(page, _) => page,
                Answer::Refused(Refusal { status: 400, .. }) if limit > DEV_ALBUM_PAGE => {
                    tracing::info!(
                        limit,
                        "Album page size refused (development mode); using 10 for the rest of the run."
                    );
                    self.limit.store(DEV_ALBUM_PAGE, Ordering::SeqCst);
                    continue;
                }
                Answer::Refused(refusal) => {
                    let refusal = refusal.unless_forbidden(&path)?;
                    tally.skip(
                        "artist_albums",
                        artist.as_str(),
                        refusal.reason(&format!("GET {path} ({group}, offset {offset})")),
                    );
                    break;
                }
            };
            let n = page.items.as_ref().map_or(0, Vec::len) as u64;
            items.extend(page.items.unwrap_or_default());
            offset += u64::from(limit);
            let total = page.total.unwrap_or(0).max(0) as u64;
            if page.next.is_none() || n == 0 || offset >= total {
                break;
            }
        }
        Ok(items)
    }
}

/// Pages `path` from `offset` in pages of 50 until `total`; a refused page
/// is the caller's to judge.
pub(super) async fn item_pages(
    session: &Session<'_>,
    endpoint: Endpoint,
    path: &str,
    mut offset: u64,
    total: u64,
) -> Result<Result<Vec<Box<RawValue>>, Refusal>, ExtractError> {
    let mut items = Vec::new();
    for _ in 0..MAX_PAGES {
        if offset >= total {
            break;
        }
        let q = [
            ("limit", ITEM_PAGE.to_string()),
            ("offset", offset.to_string()),
        ];
        match session.get::<Page>(endpoint, path, &q).await? {
            Answer::Ok(page, _) => {
                let n = page.items.as_ref().map_or(0, Vec::len);
                items.extend(page.items.unwrap_or_default());
                if n == 0 {
                    break;
                }
                offset += u64::from(ITEM_PAGE);
            }
            Answer::Refused(refusal) => return Ok(Err(refusal)),
        }
    }
    Ok(Ok(items))
}

/// The body with `<key>.items` extended by the extra pages' items; every
/// other byte of meaning is kept as returned.
pub(super) fn complete_items(body: &str, key: &[&str], extra: Vec<Box<RawValue>>) -> String {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(body) else {
        return body.to_owned();
    };
    let mut target = &mut value;
    for k in key {
        target = &mut target[*k];
    }
    if let Some(items) = target.get_mut("items").and_then(|i| i.as_array_mut()) {
        items.extend(
            extra
                .iter()
                .map(|r| serde_json::from_str(r.get()).unwrap_or(serde_json::Value::Null)),
        );
    }
    serde_json::to_string(&value).expect("JSON values serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completing_items_keeps_the_rest_of_the_body() {
        let body = r#"{"id":"a","tracks":{"total":3,"items":[{"n":1}],"next":"x"},"label":null}"#;
        let extra: Vec<Box<RawValue>> = vec![
            RawValue::from_string(r#"{"n":2}"#.into()).unwrap(),
            RawValue::from_string(r#"{"n":3}"#.into()).unwrap(),
        ];
        let out: serde_json::Value =
            serde_json::from_str(&complete_items(body, &["tracks"], extra)).unwrap();
        assert_eq!(out["tracks"]["items"].as_array().unwrap().len(), 3);
        assert_eq!(out["tracks"]["items"][2]["n"], 3);
        assert!(out["label"].is_null() && out["tracks"]["next"] == "x");
    }
}
