-- View latest_albums: the albums the album-length questions count.
--
-- Answers: which albums are there, each counted once? Keeps album_type =
-- 'album' rows only; takes one row per album_id from the newest extract_date
-- that holds it (an album listed by two configured artists in the same
-- extract has a row in each artist's partition: the lowest artist_id wins,
-- so the choice is deterministic); then one row per
-- (lower(album_name), lower(artist_name), release_year), keeping the longest
-- (ties: the lowest album_id), so a re-issue under a new id or a name that
-- differs only in case counts once.
--
-- Output: every albums column, in table order: album_id, album_name,
-- album_type, album_group, artist_name, artist_names, release_date,
-- release_date_precision, release_year, total_tracks, track_count,
-- duration_ms, is_deluxe, label, popularity, upc, extracted_at,
-- extract_date, artist_id. Types are in latest_albums.columns.
--
-- A bare SELECT over the unqualified table albums: registered as an Athena
-- view (Glue VIRTUAL_VIEW) and as a view of the embedded engine, it runs
-- unchanged on Athena engine 3 and on DataFusion (scripts/check_sql.py).
WITH newest_extract AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY album_id
            ORDER BY extract_date DESC NULLS LAST, artist_id ASC NULLS LAST
        ) AS extract_rank
    FROM albums
    WHERE album_type = 'album'
),
longest_edition AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY lower(album_name), lower(artist_name), release_year
            ORDER BY duration_ms DESC NULLS LAST, album_id ASC NULLS LAST
        ) AS edition_rank
    FROM newest_extract
    WHERE extract_rank = 1
)
SELECT
    album_id,
    album_name,
    album_type,
    album_group,
    artist_name,
    artist_names,
    release_date,
    release_date_precision,
    release_year,
    total_tracks,
    track_count,
    duration_ms,
    is_deluxe,
    label,
    popularity,
    upc,
    extracted_at,
    extract_date,
    artist_id
FROM longest_edition
WHERE edition_rank = 1
