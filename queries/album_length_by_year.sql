-- album_length_by_year: how long are albums, year by year?
--
-- Over the view latest_albums (album_type 'album', each album counted once).
-- Output, one row per release year, oldest first:
--   release_year          int     year of release
--   albums                bigint  albums released that year
--   avg_minutes           double  their mean length in minutes, 2 decimals
--   standard_albums       bigint  those that are not deluxe editions
--   standard_avg_minutes  double  mean length of those, 2 decimals (null
--                                 when the year has no standard album)
-- Albums with no known release date (null release_year) form one last row
-- with a null release_year, so the total of albums is every album.
--
-- Minutes are duration_ms / 60000e0: a double on both engines (Athena reads
-- 60000.0 as a DECIMAL). Runs unchanged on Athena engine 3 and on the
-- embedded engine (DataFusion); see scripts/check_sql.py.
SELECT
    release_year,
    count(*) AS albums,
    round(avg(duration_ms / 60000e0), 2) AS avg_minutes,
    count(CASE WHEN NOT is_deluxe THEN 1 END) AS standard_albums,
    round(avg(CASE WHEN NOT is_deluxe THEN duration_ms / 60000e0 END), 2) AS standard_avg_minutes
FROM latest_albums
GROUP BY release_year
ORDER BY release_year ASC NULLS LAST
