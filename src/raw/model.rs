//! Lenient serde structs over the raw bodies Spotify returns.
//!
//! Only the fields the transform uses are named, so parsing skips the rest
//! of each body without building it (typed parsing of 1.17 GB of album
//! bodies takes a third of the time `serde_json::Value` does). Spotify omits
//! fields by mode and era (SPOTIFY_API.md §4), so everything but an album's
//! `id` and `name` is an `Option` (serde reads a missing `Option` as `None`); lists may be `null`; unknown fields are
//! ignored. A present field of the wrong JSON type fails the whole body,
//! which the reader turns into a counted skip naming the file.
//!
//! The manifest's types live in [`super::manifest`] and are re-exported
//! here.
//!
//! Why not rspotify's models: they require fields development mode no
//! longer sends and panic on a playlist without `items`.

use std::collections::BTreeMap;

use serde::Deserialize;

pub use super::manifest::{
    ArtistStatus, Manifest, ManifestAlbum, ManifestArtist, ManifestPlaylist, PlaylistStatus,
    Requested, ResolvedBy, RunStatus,
};

/// A paging object; `items` may hold `null` entries.
#[derive(Debug, Clone, Deserialize)]
pub struct Paging<T> {
    /// The items of every page the extractor fetched.
    pub items: Option<Vec<Option<T>>>,
    /// How many items Spotify says the whole series has.
    pub total: Option<i64>,
}

/// An artist as embedded in albums and tracks.
#[derive(Debug, Clone, Deserialize)]
pub struct ArtistRef {
    /// Spotify artist id.
    pub id: Option<String>,
    /// Artist name.
    pub name: Option<String>,
}

/// `external_ids` of an album or track.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExternalIds {
    /// Album barcode.
    pub upc: Option<String>,
    /// Track recording code.
    pub isrc: Option<String>,
}

/// GET /albums/{id}, with `tracks.items` completed from every page.
#[derive(Debug, Clone, Deserialize)]
pub struct Album {
    /// Spotify album id.
    pub id: String,
    /// Album name.
    pub name: String,
    /// album, single or compilation.
    pub album_type: Option<String>,
    /// Tracks Spotify says the album has.
    pub total_tracks: Option<i64>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (or `0000`, or garbage).
    pub release_date: Option<String>,
    /// year, month or day.
    pub release_date_precision: Option<String>,
    /// The album's artists.
    pub artists: Option<Vec<Option<ArtistRef>>>,
    /// Gone in development mode.
    pub label: Option<String>,
    /// Gone in development mode.
    pub popularity: Option<i64>,
    /// `upc`.
    pub external_ids: Option<ExternalIds>,
    /// Every track, from every page.
    pub tracks: Option<Paging<Track>>,
}

/// A simplified track of an album's track list, or a full playlist track.
#[derive(Debug, Clone, Deserialize)]
pub struct Track {
    /// Spotify track id; null for local files.
    pub id: Option<String>,
    /// Track name.
    pub name: Option<String>,
    /// From 1.
    pub disc_number: Option<i64>,
    /// From 1 on each disc.
    pub track_number: Option<i64>,
    /// Track length.
    pub duration_ms: Option<i64>,
    /// Explicit lyrics.
    pub explicit: Option<bool>,
    /// The track's artists.
    pub artists: Option<Vec<Option<ArtistRef>>>,
    /// Only on full tracks (playlists).
    pub external_ids: Option<ExternalIds>,
    /// `track` or `episode` (playlists).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Legacy marker of a podcast episode in a playlist.
    pub episode: Option<bool>,
    /// A local file (no Spotify id).
    pub is_local: Option<bool>,
    /// The album of a playlist track.
    pub album: Option<AlbumRef>,
}

/// The album of a playlist track.
#[derive(Debug, Clone, Deserialize)]
pub struct AlbumRef {
    /// Spotify album id.
    pub id: Option<String>,
    /// Album name.
    pub name: Option<String>,
}

/// `followers` of an artist (extended mode only).
#[derive(Debug, Clone, Deserialize)]
pub struct Followers {
    /// Follower count.
    pub total: Option<i64>,
}

/// GET /artists/{id}.
#[derive(Debug, Clone, Deserialize)]
pub struct Artist {
    /// Spotify artist id.
    pub id: String,
    /// Artist name.
    pub name: String,
    /// May be absent, null or empty.
    pub genres: Option<Vec<Option<String>>>,
    /// Gone in development mode.
    pub followers: Option<Followers>,
    /// Gone in development mode.
    pub popularity: Option<i64>,
}

/// A simplified album from an artist's album pages.
#[derive(Debug, Clone, Deserialize)]
pub struct AlbumListing {
    /// Spotify album id.
    pub id: String,
    /// Album name, for messages.
    pub name: Option<String>,
}

/// `artist_albums/<artist_id>.json`: the simplified albums of every page,
/// per requested include group.
#[derive(Debug, Clone, Deserialize)]
pub struct ArtistAlbums {
    /// Include group → albums listed under it, in page order.
    pub groups: BTreeMap<String, Option<Vec<Option<AlbumListing>>>>,
}

/// One entry of a playlist's items.
#[derive(Debug, Clone, Deserialize)]
pub struct PlaylistItem {
    /// When it was added.
    pub added_at: Option<String>,
    /// A local file.
    pub is_local: Option<bool>,
    /// 2026 key.
    pub item: Option<Track>,
    /// Legacy key.
    pub track: Option<Track>,
}

impl PlaylistItem {
    /// The track: `item`, else the legacy `track` (`/items` was seen sending
    /// only `track`).
    pub fn track(&self) -> Option<&Track> {
        self.item.as_ref().or(self.track.as_ref())
    }
}

/// GET /playlists/{id} with its items completed from every page.
#[derive(Debug, Clone, Deserialize)]
pub struct Playlist {
    /// Spotify playlist id.
    pub id: String,
    /// Playlist name.
    pub name: Option<String>,
    /// 2026 shape: `items.items[].item`.
    pub items: Option<Paging<PlaylistItem>>,
    /// Older shape: `tracks.items[].track`.
    pub tracks: Option<Paging<PlaylistItem>>,
}

impl Playlist {
    /// The items, whichever shape carries them; `None` when the body holds
    /// metadata only (development mode).
    pub fn entries(&self) -> Option<&[Option<PlaylistItem>]> {
        fn with_items(p: &Option<Paging<PlaylistItem>>) -> Option<&[Option<PlaylistItem>]> {
            p.as_ref().and_then(|p| p.items.as_deref())
        }
        with_items(&self.items).or_else(|| with_items(&self.tracks))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn album_parses_with_only_id_and_name() {
        let a: Album = serde_json::from_str(r#"{"id":"x","name":"y"}"#).unwrap();
        assert!(a.tracks.is_none() && a.release_date.is_none());
    }

    #[test]
    fn nulls_are_accepted_everywhere_but_id_and_name() {
        let a: Album = serde_json::from_str(
            r#"{"id":"x","name":"y","artists":null,"label":null,"tracks":{"items":[null,{"duration_ms":null}],"total":null}}"#,
        )
        .unwrap();
        assert_eq!(a.tracks.unwrap().items.unwrap().len(), 2);
        assert!(serde_json::from_str::<Album>(r#"{"id":null,"name":"y"}"#).is_err());
    }

    #[test]
    fn playlist_reads_both_shapes() {
        let new: Playlist = serde_json::from_str(
            r#"{"id":"p","items":{"items":[{"item":{"id":"t","name":"n"}}],"total":1}}"#,
        )
        .unwrap();
        let old: Playlist = serde_json::from_str(
            r#"{"id":"p","tracks":{"items":[{"track":{"id":"t","name":"n"}}],"total":1}}"#,
        )
        .unwrap();
        let meta: Playlist = serde_json::from_str(r#"{"id":"p","tracks":{"total":7}}"#).unwrap();
        for p in [&new, &old] {
            let entries = p.entries().unwrap();
            assert_eq!(
                entries[0].as_ref().unwrap().track().unwrap().id.as_deref(),
                Some("t")
            );
        }
        assert!(meta.entries().is_none());
    }
}

/// `GET /v1/search?type=artist`: what the extractor reads of the answer to
/// resolve an artist's name (the search answer is not kept in the raw zone).
#[derive(Debug, Clone, Deserialize)]
pub struct SearchBody {
    /// The artists page.
    pub artists: Option<SearchPage>,
}

/// One page of search hits.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchPage {
    /// The hits; a null item is skipped.
    pub items: Option<Vec<Option<SearchHit>>>,
}

/// One artist found by a search.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchHit {
    /// The artist's id, checked before it is used.
    pub id: String,
    /// The artist's name, for the exact-name match.
    pub name: Option<String>,
}
