-- album_length_by_artist: how long are each artist's albums, year by year?
--
-- Over the view latest_albums (album_type 'album', each album counted once);
-- the artist is the album's first artist (artist_name).
-- Output, ordered by artist_name, then release_year (unknown years last):
--   artist_name   string  the album's first artist
--   release_year  int     year of release (null when unknown)
--   albums        bigint  albums of that artist released that year
--   avg_minutes   double  their mean length in minutes, 2 decimals
--
-- Minutes are duration_ms / 60000e0: a double on both engines (Athena reads
-- 60000.0 as a DECIMAL). Runs unchanged on Athena engine 3 and on the
-- embedded engine (DataFusion); see scripts/check_sql.py.
SELECT
    artist_name,
    release_year,
    count(*) AS albums,
    round(avg(duration_ms / 60000e0), 2) AS avg_minutes
FROM latest_albums
GROUP BY artist_name, release_year
ORDER BY artist_name ASC NULLS LAST, release_year ASC NULLS LAST
