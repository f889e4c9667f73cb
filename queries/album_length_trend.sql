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
fits AS (
    SELECT
        'all' AS variant,
        count(*) AS albums,
        min(release_year) AS first_year,
        max(release_year) AS last_year,
        regr_slope(minutes_y, year_x) AS slope,
        regr_intercept(minutes_y, year_x) AS intercept,
        corr(minutes_y, year_x) AS r
    FROM points
    UNION ALL
    SELECT
        'standard' AS variant,
        count(*) AS albums,
        min(release_year) AS first_year,
        max(release_year) AS last_year,
        regr_slope(minutes_y, year_x) AS slope,
        regr_intercept(minutes_y, year_x) AS intercept,
        corr(minutes_y, year_x) AS r
    FROM points
    WHERE NOT is_deluxe
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
