-- album_length_trend: are albums getting longer or shorter, and how fast?
--
-- Least squares of album length (minutes) on release year over the view
-- latest_albums (album_type 'album', each album counted once), for all
-- albums and for standard ones (not deluxe editions). Albums with an
-- unknown release year are left out.
-- Output, two rows, 'all' then 'standard':
--   variant                 string  'all' or 'standard'
--   albums                  bigint  albums in the fit
--   first_year              int     earliest release year among them
--   last_year               int     latest release year among them
--   slope_minutes_per_year  double  fitted change in length per year, 4 decimals
--   intercept_minutes       double  fitted length at year 0, 4 decimals
--   r2                      double  coefficient of determination, 4 decimals
-- The fit needs albums in at least two different years (else its columns
-- are null). Its columns are rounded so that every engine prints the same
-- digits (the engines sum in different orders).
--
-- regr_slope/regr_intercept take (y, x); r2 is power(corr(y, x), 2), as
-- regr_r2 does not exist on Athena. Minutes are duration_ms / 60000e0: a
-- double on both engines (Athena reads 60000.0 as a DECIMAL). Runs unchanged
-- on Athena engine 3 and on the embedded engine (DataFusion); see
-- scripts/check_sql.py.
WITH points AS (
    SELECT
        release_year,
        CAST(release_year AS DOUBLE) AS year_x,
        duration_ms / 60000e0 AS minutes_y,
        is_deluxe
    FROM latest_albums
    WHERE release_year IS NOT NULL
),
variants AS (
    SELECT variant FROM (VALUES ('all'), ('standard')) AS v (variant)
),
fits AS (
    -- One group per variant; the LEFT JOIN keeps a variant with no albums
    -- as a row with albums = 0 and null figures.
    SELECT
        v.variant AS variant,
        count(p.minutes_y) AS albums,
        min(p.release_year) AS first_year,
        max(p.release_year) AS last_year,
        regr_slope(p.minutes_y, p.year_x) AS slope,
        regr_intercept(p.minutes_y, p.year_x) AS intercept,
        corr(p.minutes_y, p.year_x) AS r
    FROM variants AS v
    LEFT JOIN points AS p ON v.variant = 'all' OR NOT p.is_deluxe
    GROUP BY v.variant
)
SELECT
    variant,
    albums,
    first_year,
    last_year,
    round(slope, 4) AS slope_minutes_per_year,
    round(intercept, 4) AS intercept_minutes,
    round(power(r, 2), 4) AS r2
FROM fits
ORDER BY variant ASC
